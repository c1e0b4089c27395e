"""The CRM-facing home of the name and contact normalisers (名寄せ); see b2bshop.text.

The pure implementation lives in the project package so that customers, which crm depends on,
can key company names (Customer.name_key) without importing crm.
"""

from __future__ import annotations

from b2bshop.text import *  # noqa: F403 -- re-export: b2bshop.text.__all__ is this module's API
from b2bshop.text import __all__ as __all__
