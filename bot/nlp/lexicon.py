"""Project words the spaCy lemmatizer maps to one shared lemma.

Keys and values are folded (lowercase, no diacritics). Flemish words map to the
Netherlands Dutch word, spelling variants and brand names to the common term, so
that the classifier sees the same feature however a patient writes it.
"""

from __future__ import annotations

DISEASE_LEMMA = "amyotrofischelateralesclerose"
"""Lemma of "ALS" the disease; shares no character n-grams with "als" (if/as)."""

LEMMA_OVERRIDES: dict[str, str] = {
    # Flemish -> Netherlands Dutch
    "kinesist": "fysiotherapeut",
    "kinesisten": "fysiotherapeut",
    "kine": "fysiotherapie",
    "kinesitherapie": "fysiotherapie",
    "kinesitherapeut": "fysiotherapeut",
    "gekend": "bekend",
    "geneesheer": "arts",
    "huisdokter": "huisarts",
    "ge": "u",
    "gij": "u",
    "da": "dat",
    "uz": "ziekenhuis",
    # spelling variants and brand names
    "fysio": "fysiotherapie",
    "fysiotherapeute": "fysiotherapeut",
    "logo": "logopedist",
    "logopediste": "logopedist",
    "ergo": "ergotherapeut",
    "dietiste": "dietist",
    "riluzol": "riluzole",
    "riluzool": "riluzole",
    "riluzole": "riluzole",
    "rilutek": "riluzole",
    "tofersen": "tofersen",
    "qalsody": "tofersen",
    "psma": "pma",
    "emg": "emg",
    "amyotrofische": DISEASE_LEMMA,
    "amyotrofe": DISEASE_LEMMA,
    "motorneuronziekte": DISEASE_LEMMA,
}
