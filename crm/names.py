"""The CRM-facing home of the name and contact normalisers (名寄せ); see b2bshop.text.

The pure implementation lives in the project package so that customers, which crm depends on,
can key company names (Customer.name_key) without importing crm.
"""

from __future__ import annotations

from b2bshop.text import (
    BUSINESS_TYPES,
    KAISHA_FORMS,
    OLD_TO_NEW_KANJI,
    NormalizedName,
    fold_kana,
    is_free_mail_domain,
    is_kana_text,
    is_mobile_phone,
    normalize_address,
    normalize_company,
    normalize_domain,
    normalize_kana,
    normalize_phone,
    normalize_postal,
    prefecture_of,
    split_business_type,
)

__all__ = [
    "BUSINESS_TYPES",
    "KAISHA_FORMS",
    "OLD_TO_NEW_KANJI",
    "NormalizedName",
    "fold_kana",
    "is_free_mail_domain",
    "is_kana_text",
    "is_mobile_phone",
    "normalize_address",
    "normalize_company",
    "normalize_domain",
    "normalize_kana",
    "normalize_phone",
    "normalize_postal",
    "prefecture_of",
    "split_business_type",
]
