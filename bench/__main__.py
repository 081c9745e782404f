"""``python -m bench`` runs every benchmark (see ``bench.all``)."""

from bench.all import main

main()
