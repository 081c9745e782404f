"""Names shared by the data layer, the actions and the domain."""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

ACTION_LIST_STUDIES: Final = "action_list_studies"
ACTION_SHOW_STUDY: Final = "action_show_study"
ACTION_FIND_CONTACT: Final = "action_find_contact"

SLOT_STUDY: Final = "study"
ENTITY_STUDY: Final = "study"

INTENT_ONDERZOEK_MEEDOEN: Final = "onderzoek_meedoen"
INTENT_ONDERZOEK_INFO: Final = "onderzoek_info"
INTENT_ONDERZOEK_MRI: Final = "onderzoek_mri"
INTENT_ONDERZOEK_TUDCA: Final = "onderzoek_tudca"
INTENT_ONDERZOEK_BIOBANK: Final = "onderzoek_biobank"
INTENT_ONDERZOEK_DONATIE: Final = "onderzoek_donatie"
INTENT_CONTACT: Final = "contact"
INTENT_ASK_HUMAN: Final = "ask_human"

STUDY_MRI: Final = "mri"
STUDY_TUDCA: Final = "tudca-als"
STUDY_BIOBANK: Final = "biobank"
STUDY_DONATION: Final = "hersendonatie"

INTENT_TO_STUDY: Final = MappingProxyType(
    {
        INTENT_ONDERZOEK_MRI: STUDY_MRI,
        INTENT_ONDERZOEK_TUDCA: STUDY_TUDCA,
        INTENT_ONDERZOEK_BIOBANK: STUDY_BIOBANK,
        INTENT_ONDERZOEK_DONATIE: STUDY_DONATION,
    }
)

PAYLOAD_LIST_STUDIES: Final = f"/{INTENT_ONDERZOEK_MEEDOEN}"
PAYLOAD_CONTACT: Final = f"/{INTENT_CONTACT}"

CONTACT_OWN_DOCTOR: Final = "eigen-arts"
"""Slug of the generic route via the patient's own doctor or ALS team."""
