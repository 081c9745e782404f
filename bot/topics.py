"""The topics the assistant answers, with the short titles shown on buttons."""

from __future__ import annotations

TOPIC_TITLES: dict[str, str] = {
    "faq_wat_is_als": "Wat is ALS?",
    "faq_symptomen": "Klachten bij ALS",
    "faq_oorzaak": "De oorzaak van ALS",
    "faq_erfelijkheid": "Erfelijkheid en genen",
    "faq_diagnose": "De diagnose",
    "faq_emg": "Het EMG (spier-zenuwonderzoek)",
    "faq_behandeling": "Behandeling",
    "faq_riluzol": "Riluzol (Rilutek)",
    "faq_levensverwachting": "Levensverwachting",
    "faq_verloop": "Het verloop van ALS",
    "faq_levenseinde": "Het levenseinde",
    "faq_hoe_vaak": "Hoe vaak komt ALS voor?",
    "faq_pls_pma": "PLS en PMA (PSMA)",
    "faq_zorgteam": "Het ALS-team",
    "faq_nieuwe_medicijnen": "Tofersen en nieuwe medicijnen",
    "faq_goals": "GoALS, Project MinE en TRICALS",
    "faq_biomarkers": "Biomarkers",
    "faq_als_centrum": "ALS Centrum Nederland",
    "onderzoek_meedoen": "Meedoen aan onderzoek",
    "onderzoek_mri": "Het MRI-onderzoek",
    "onderzoek_tudca": "De TUDCA-ALS-studie",
    "onderzoek_biobank": "De biobank",
    "onderzoek_donatie": "Hersenen en ruggenmerg doneren",
    "onderzoek_info": "Een ander onderzoek",
    "contact": "Contact",
    "new_diagnosis": "Net de diagnose gekregen",
    "faq_spasticiteit": "Stijve spieren (spasticiteit)",
    "faq_zwakte_zonder_pijn": "Spierzwakte zonder pijn",
    "faq_denken_gedrag": "Denken en gedrag (FTD)",
    "faq_mri_resultaten": "Resultaten van het MRI-onderzoek",
    "faq_diagnose_route": "Onderzoek in het ALS Centrum",
    "faq_palliatieve_zorg": "Palliatieve zorg en keuzes",
}
"""Intent name -> button title for every content topic of the content brief."""
