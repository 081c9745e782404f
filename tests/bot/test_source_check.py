"""The source check finds numbers and names that the cited seed files lack."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.source_check import SourceError, Sources, candidate_names, load_sources

LEAFLET = "folder.txt"
PAGE = "pagina.txt"
SEEDS = {
    LEAFLET: (
        "ALS is een zeldzame ziekte. Na de eerste klachten leven patiënten "
        "gemiddeld nog drie tot vijf jaar. Ruim 90% van de ALS-patiënten "
        "overlijdt rustig. Soms geeft de arts riluzole (merknaam Rilutek).\n"
    ),
    PAGE: (
        "Riluzole (2 x 50 mg per dag)\nALS komt voor bij ongeveer 4 à 8 op "
        "100.000 personen. Tofersen werkt bij 1% van de mensen met de "
        "SOD1-genmutatie. Project MinE en het UMC Utrecht.\n"
        "Laatste aanpassing: 10 maart 2021"
    ),
}
REGISTRY = """
version: 1
sources:
  - name: folder
    files: [folder.txt]
  - name: pagina (10 maart 2021)
    files: [pagina.txt]
    date: 10 maart 2021
    names:
      België: the brief calls it a Belgian page
      Belgische: the brief calls it a Belgian page
terms: [riluzole, Rilutek, Tofersen, SOD1, Project MinE, UMC Utrecht]
watch: [edaravone]
"""


@pytest.fixture
def sources(tmp_path: Path) -> Sources:
    """A registry of two fake sources and their seed files."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name, text in SEEDS.items():
        (seeds / name).write_text(text, encoding="utf-8")
    registry = tmp_path / "sources.yml"
    registry.write_text(REGISTRY, encoding="utf-8")
    return load_sources(registry, seeds)


def _numbers(sources: Sources, text: str, *cited: str) -> list[str]:
    return sources.unsupported_numbers(text, sources.files_of(cited))


def _names(sources: Sources, text: str, *cited: str) -> list[str]:
    return sources.unsupported_names(text, cited, sources.files_of(cited))


@pytest.mark.parametrize(
    "text",
    [
        "Gemiddeld leven mensen nog 3 tot 5 jaar na de eerste klachten.",
        "Ruim 90% overlijdt rustig.",
        "Bel 112 bij nood. Denkt u aan zelfdoding? Bel 113 of 0800-0113.",
        "Het medicijn riluzol heet ook Rilutek.",
        "Kijk op www.als-centrum.nl of bel 112.",
    ],
)
def test_a_correct_answer_passes(sources: Sources, text: str) -> None:
    assert _numbers(sources, text, "folder") == []
    assert _names(sources, text, "folder") == []


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Gemiddeld leven mensen nog 3 tot 7 jaar.", "3 tot 7"),
        ("Gemiddeld leven mensen nog 4 jaar.", "4"),
        ("Ruim 95% overlijdt rustig.", "95%"),
        ("De helft (50 procent) overlijdt rustig.", "50%"),
        ("Dat werkt bij 90 mensen.", None),
    ],
)
def test_an_invented_number_is_flagged(
    sources: Sources, text: str, flagged: str | None
) -> None:
    found = _numbers(sources, text, "folder")
    if flagged is None:
        assert found == []
    else:
        assert flagged in found


def test_a_range_needs_both_ends_together(sources: Sources) -> None:
    page = "pagina (10 maart 2021)"

    assert _numbers(sources, "Ongeveer 4 tot 8 op de 100.000.", page) == []
    assert _numbers(sources, "Ongeveer 8 tot 50 op de 100.000.", page) == ["8 tot 50"]


def test_a_percentage_needs_a_percentage(sources: Sources) -> None:
    assert _numbers(sources, "Bij 8% van de mensen.", "folder") == ["8%", "8"]
    assert _numbers(sources, "Bij 8% van de mensen.", "pagina (10 maart 2021)") == [
        "8%"
    ]


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Het medicijn Edaravone helpt ook.", "Edaravone"),
        ("Het medicijn edaravone helpt ook.", "edaravone"),
        ("Edaravone helpt ook.", "Edaravone"),
        ("Het gaat om het SOD2-gen.", "SOD2"),
        ("Het gaat om het FUS-gen.", "FUS"),
        ("Het onderzoek heet Project MaxE.", "Project MaxE"),
        ("Het zit in het Erasmus MC.", "Erasmus MC"),
    ],
)
def test_an_invented_drug_gene_or_organisation_is_flagged(
    sources: Sources, text: str, flagged: str
) -> None:
    found = _names(sources, text, "pagina (10 maart 2021)")
    assert flagged.lower() in [name.lower() for name in found]


def test_a_name_counts_only_in_the_cited_sources(sources: Sources) -> None:
    text = "Tofersen werkt bij 1% van de mensen met een verandering in het SOD1-gen."

    assert _names(sources, text, "pagina (10 maart 2021)") == []
    assert _numbers(sources, text, "pagina (10 maart 2021)") == []
    assert set(_names(sources, text, "folder")) == {"Tofersen", "SOD1"}
    assert _numbers(sources, text, "folder") == ["1%", "1"]


def test_names_are_matched_without_case_hyphens_or_endings(sources: Sources) -> None:
    text = "Het project-mine onderzoek, het Umc Utrecht en het medicijn RILUZOL."

    assert _names(sources, text, "pagina (10 maart 2021)") == []


def test_a_describing_name_of_the_source_is_accepted(sources: Sources) -> None:
    text = "Op de Belgische webpagina staat dat in België 2 keer per dag 50 mg."

    assert _names(sources, text, "pagina (10 maart 2021)") == []
    assert _numbers(sources, text, "pagina (10 maart 2021)") == []
    assert _names(sources, text, "folder") == ["Belgische", "België"]


def test_without_cited_sources_every_seed_counts(sources: Sources) -> None:
    text = "Tofersen en riluzole, bij 1% en 90%."

    assert sources.unsupported_names(text, [], None) == []
    assert sources.unsupported_numbers(text, None) == []
    assert sources.unsupported_names("Edaravone", [], None) == ["edaravone"]


def test_list_markers_are_not_numbers(sources: Sources) -> None:
    text = "Drie dingen: 1. riluzole. 2. Rilutek. 3. Het team."

    assert _numbers(sources, text, "folder") == []


def test_sentence_starts_are_not_names_but_names_inside_are() -> None:
    text = "Soms geeft de arts Rilutek. Daarna: Stichting ALS Nederland. Prof. dr. Jan"

    assert candidate_names(text) == ["Rilutek", "ALS Nederland", "Jan"]


def test_the_registry_checks_dates_and_files(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / PAGE).write_text(SEEDS[PAGE], encoding="utf-8")
    registry = tmp_path / "sources.yml"
    registry.write_text(
        "sources:\n"
        "  - {name: pagina, files: [pagina.txt], date: 10 maart 2021}\n"
        "  - {name: pagina (1 mei 2020), files: [pagina.txt], date: 1 mei 2020}\n"
        "  - {name: weg, files: [weg.txt]}\n",
        encoding="utf-8",
    )

    problems = load_sources(registry, seeds).problems()

    assert "seed file not found: weg.txt" in problems
    assert "'pagina' does not show its date 10 maart 2021" in problems
    assert "date 1 mei 2020 of 'pagina (1 mei 2020)' not in its file" in problems
    assert len(problems) == 3


def test_a_missing_seed_folder_or_registry_is_an_error(tmp_path: Path) -> None:
    registry = tmp_path / "sources.yml"
    registry.write_text(REGISTRY, encoding="utf-8")

    with pytest.raises(SourceError, match="seed folder"):
        load_sources(registry, tmp_path / "nowhere")
    with pytest.raises(SourceError, match="not found"):
        load_sources(tmp_path / "missing.yml", tmp_path)
