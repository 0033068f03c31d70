"""Which pages exist and which each role sees (hiding is convenience; the library enforces)."""

from __future__ import annotations

from pathlib import Path

PAGES_DIR = Path(__file__).resolve().parent / "pages"

# Which pages each role sees. Hiding is only convenience: the library enforces every rule.
ROLE_PAGES: dict[str, tuple[str, ...]] = {
    "operator": ("generate", "batches", "my_work", "library", "plans", "rules", "prompts", "dashboard", "performance"),
    "reviewer": ("review", "library", "plans", "rules", "prompts", "dashboard", "performance"),
    "compliance": ("review", "rules", "library", "plans", "prompts", "dashboard", "performance"),
    "admin": ("generate", "batches", "my_work", "review", "library", "plans", "rules", "prompts", "dashboard", "performance"),
}
PAGE_FILES: dict[str, str] = {
    "my_work": "my_work.py",
    "generate": "generate.py",
    "batches": "batches.py",
    "review": "review.py",
    "library": "library_page.py",
    "plans": "plans.py",  # written by the plans engineer; listed only once the file exists
    "rules": "rules.py",
    "prompts": "prompts_page.py",
    "dashboard": "dashboard.py",
    "performance": "performance.py",
}
PAGE_ICONS: dict[str, str] = {
    "my_work": ":material/assignment_ind:",
    "generate": ":material/edit_note:",
    "batches": ":material/pending_actions:",
    "review": ":material/fact_check:",
    "library": ":material/inventory_2:",
    "plans": ":material/calendar_month:",
    "rules": ":material/gavel:",
    "prompts": ":material/description:",
    "dashboard": ":material/bar_chart:",
    "performance": ":material/trending_up:",
}


def pages_for(role: str) -> list[str]:
    """The page names a role sees, in menu order, skipping pages whose file is not there yet."""
    return [p for p in ROLE_PAGES.get(role, ()) if (PAGES_DIR / PAGE_FILES[p]).is_file()]
