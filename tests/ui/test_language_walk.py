"""Every word in the user's language (issue 12, item 4).

Three checks. Every identifier of the vocabulary modules has a human name in zh and en. The
errors a UI user meets, raised for real by the library and the engine, are said in each language
with the quoted values kept. And a walk: for zh and en and each role, log in through the form,
visit every page the role sees over demo data (a submitted plan, drafts, an item sent back, a
blocked draft) and read every visible string — Markdown, captions, labels, options, buttons,
table headers and cells, chart data, errors — failing on a raw vocabulary identifier where its
name belongs and, in zh, on an English text of the catalogue. User content (material text, the
rule packs' and prompt files' own words, names people typed) is allowed: the checks compare
against identifiers and catalogue texts, never against "any Latin letters".
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from review_ui._i18n import LABELS, name
from review_ui._nav import PAGE_FILES, ROLE_PAGES, pages_for
from tests.ui.language_checks import (
    catalogue_english,
    english_texts,
    problems,
    raw_identifiers,
    shown_strings,
    vocabulary,
)

APP = str(Path(__file__).resolve().parents[2] / "review_ui" / "app.py")
LANGS = ("zh", "en")
# The demo's users, but an admin who is not called "admin": a user's name is theirs to choose,
# and the walk must not take it for the role's identifier.
ROLE_USER = {"operator": "olivia", "reviewer": "rui", "compliance": "chen", "admin": "ada"}
# Brief fields that hold what people (or the plan engine, for the model) wrote, not identifiers.
BRIEF_TEXT = ("product", "selling_points", "offer", "brand", "interests", "preferred_times", "persona_interests",
              "specialty_products", "brand_voice", "notes", "previous_messages")

def test_every_vocabulary_identifier_has_a_name_in_both_languages() -> None:
    missing = [f"{kind}:{ident}" for kind, idents in vocabulary().items() for ident in idents
               if f"{kind}:{ident}" not in LABELS]
    assert not missing, f"add these to review_ui/labels/names.py: {missing}"
    for kind, idents in vocabulary().items():
        for ident in idents:
            zh, en = LABELS[f"{kind}:{ident}"]
            assert zh.strip() and en.strip() and ident not in (zh, en), (kind, ident, zh, en)


def test_every_workflow_step_is_explained_in_the_error_catalogue() -> None:
    from library import workflow
    from review_ui._errors import KNOWN

    for action in workflow.STEPS:
        assert f"err_who_{action}" in LABELS, action
    for action in workflow._NEEDS:
        assert f"err_need_{action}" in LABELS, action
    for known in KNOWN:
        assert known.key in LABELS, known.key


# ---- errors raised for real ------------------------------------------------------------------


def _raised(call: Any) -> BaseException:
    try:
        call()
    except Exception as e:  # every error a UI user can meet, whatever its class
        return e
    raise AssertionError("expected an error")


def test_the_errors_a_user_meets_are_said_in_their_language(lib: Any, make_material: Any) -> None:
    """Each message comes from its real raise site, so a reworded message fails here first."""
    from pydantic import ValidationError

    from contentgen.compliance import load_packs
    from contentgen.kernel.config import Settings
    from contentgen.kernel.schemas import Brief
    from contentgen.plans import PlanRequest
    from contentgen.usecases import plans as plan_cases
    from review_ui._errors import error_message

    m = make_material("in_review")
    lib.edit(m.id, base_version=1, content=dict(lib.get_version(m.id, 1).content), actor="olivia")
    own = make_material("in_review", author="root", body="野餐篮第三款上新。")
    quiet = dict(segment="dormant.mass", objective="reactivate", industry="retail", start=date(2026, 12, 1))
    errors: dict[str, tuple[BaseException, tuple[str, ...]]] = {
        "login": (_raised(lambda: lib.users.authenticate("olivia", "wrong-pass")), ()),
        "role": (_raised(lambda: lib.approve(m.id, 2, actor="olivia")), ("olivia",)),
        "four eyes": (_raised(lambda: lib.approve(own.id, 1, actor="root")), ("root",)),
        "stale": (_raised(lambda: lib.submit(m.id, 1, actor="olivia")), (m.id,)),
        "transition": (_raised(lambda: lib.approve(m.id, 2, actor="rui")), (m.id,)),
        "reason": (_raised(lambda: lib.request_changes(m.id, 2, actor="rui", reason=" ")), ()),
        "justification": (_raised(lambda: lib.override(m.id, 2, actor="chen", justification="")), ()),
        "not found": (_raised(lambda: lib.get("mat_nope")), ("mat_nope",)),
        "unknown id": (_raised(lambda: lib.users.add("zed", "boss", password="long-enough")), ("boss",)),
        "brief": (_raised(lambda: Brief(industry="retail", segment="dormant.mass", content_type="copy",
                                        channel="sms", product="")), ()),
        "plan": (_raised(lambda: PlanRequest.parse(**quiet, days=9)), ("9",)),
        "plan constraint": (_raised(lambda: plan_cases.schedule(
            PlanRequest.parse(**quiet, quiet_hours="00:00-23:59"), settings=Settings.load())), ("00:00-23:59",)),
        "rule packs": (_raised(lambda: load_packs(Path("/nonexistent/rules"))), ("/nonexistent/rules",)),
    }
    assert isinstance(errors["brief"][0], ValidationError)
    en_texts = english_texts()
    for what, (e, kept) in errors.items():
        zh, en = error_message(e, "zh"), error_message(e, "en")
        assert zh != en and zh != str(e), (what, zh)
        assert not catalogue_english(zh, en_texts), (what, zh)
        for value in kept:
            assert value in zh and value in en, (what, value, zh, en)
        head = LABELS[f"err_head_{type(e).__name__}"][0] if f"err_head_{type(e).__name__}" in LABELS else None
        assert zh != f"{head}：{e}", f"{what}: no pattern matched {str(e)!r}"
    assert "产品：至少 1 个字" in error_message(errors["brief"][0], "zh")
    assert "Product: at least 1 character" in error_message(errors["brief"][0], "en")


def test_an_unknown_message_keeps_its_detail_under_a_translated_headline() -> None:
    from library.errors import ConflictError
    from review_ui._errors import error_message, error_text

    e = ConflictError("something nobody translated yet [x](y)")
    assert error_message(e, "zh") == "版本冲突：something nobody translated yet [x](y)"
    assert error_message(e, "en") == "Version conflict: something nobody translated yet [x](y)"
    assert "\\[x\\]\\(y\\)" in error_text(e, "zh"), "escaped for Markdown"

# ---- the walk --------------------------------------------------------------------------------


def _seed(db: Path) -> list[str]:
    """Demo data plus a submitted plan; returns the texts people and models wrote."""
    from contentgen.compliance import load_packs
    from contentgen.kernel.config import Settings
    from contentgen.kernel.schemas import CONTENT_MODELS, content_fields
    from contentgen.plans import PlanRequest
    from contentgen.prompts import PromptCatalog
    from contentgen.usecases import open_library
    from contentgen.usecases import plans as plan_cases
    from contentgen.usecases.demo import DEMO_PASSWORD, seed_demo

    lib = open_library(db)
    try:
        seed_demo(lib)
        lib.users.add(ROLE_USER["admin"], "admin", password=DEMO_PASSWORD)
        req = PlanRequest.parse(segment="dormant.high_value", objective="reactivate", days=7, industry="retail",
                                locale="zh-CN", start=date(2026, 12, 1))
        created = plan_cases.create_plan(req, settings=Settings.load(), lib=lib, as_user="olivia")
        assert created.stored is not None
        plan_cases.act_on_plan(lib, created.stored.id, "submit", actor="olivia")
        written: list[str] = []
        for m in lib.list(limit=200).items:
            written.append(m.title or "")
            for n in range(1, m.current_version + 1):
                v = lib.get_version(m.id, n)
                model = CONTENT_MODELS[m.content_type].model_validate(dict(v.content))
                written += content_fields(model).values()
                for key in BRIEF_TEXT:
                    value = (v.brief or {}).get(key)
                    written += value if isinstance(value, list) else [str(value or "")]
                for f in v.compliance.get("findings", []) if isinstance(v.compliance, dict) else []:
                    written += [str(f.get(k) or "") for k in ("match", "message", "suggestion", "reference")]
        written += [e.reason or "" for e in lib.audit_log(limit=1000)]
        for p in plan_cases.list_plans(lib):
            written += [p.name, *(t.purpose for t in plan_cases.get_plan(lib, p.id).touchpoints)]
        settings = Settings.load()
        for pack in load_packs(settings.rules_dir):
            written += [pack.title, *(r.message for r in pack.rules), *(r.reference or "" for r in pack.rules)]
        written += [f.description for f in PromptCatalog.load(settings.prompts_dir).files]
    finally:
        lib.close()
    return [" ".join(w.split()) for w in written if w.strip()]  # as shown_strings spaces them


def _allowed_content(written: list[str]) -> re.Pattern[str] | None:
    # Only what would trip a check needs cutting out; the rest cannot, and cutting it is slow.
    risky = {w for w in written if any(problems(w, lang) for lang in LANGS)}
    if not risky:
        return None
    return re.compile("|".join(map(re.escape, sorted(risky, key=len, reverse=True))))


def _logged_out(lang: str) -> Any:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    if lang != "zh":
        at.sidebar.radio(key="ui_lang_choice").set_value(lang).run()
    return at


def _signed_in(lang: str, role: str, page: str | None) -> Any:
    """A fresh session of this user on page (None: the app's first run, sidebar included).

    A fresh session per page, because AppTest formats the current page's options again when it
    leaves it, outside the script run (so in the default language), and keeps the sidebar of a
    session's first run only."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["ui_lang"] = lang
    at.session_state["user"] = {"name": ROLE_USER[role], "role": role}
    if page is not None:
        at.switch_page(f"pages/{PAGE_FILES[page]}")
    return at.run()


def _walk(lang: str, role: str, allowed: re.Pattern[str] | None) -> dict[str, list[str]]:
    from contentgen.usecases.demo import DEMO_PASSWORD

    found: dict[str, list[str]] = {}

    def read(page: str, at: Any) -> None:
        texts = shown_strings(at)
        assert texts, f"{page}: nothing shown"
        for text in texts:
            text = allowed.sub("\x00", text) if allowed else text
            found.setdefault(page, []).extend(f"{role}: {p} in {text[:120]!r}" for p in problems(text, lang))
        for e in getattr(at, "exception", []):
            found.setdefault(page, []).append(f"{role}: exception {e.value}")

    at = _logged_out(lang)
    for password in ("not-the-password", DEMO_PASSWORD):  # a failed login first: its error is read
        at.text_input(key="login_name").input(ROLE_USER[role])
        at.text_input(key="login_password").input(password)
        at.button(key="login_submit").click().run()
        if password != DEMO_PASSWORD:
            assert at.error, "the failed login says so"
            read("login", at)
    assert at.session_state["user"] == {"name": ROLE_USER[role], "role": role}, [e.value for e in at.error]
    read("shell", _signed_in(lang, role, None).sidebar)
    for page in pages_for(role):
        read(page, _signed_in(lang, role, page))
    return found


@pytest.fixture(scope="module")
def walk(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], list[str]]:
    """Every role in every language, once for the module: (lang, page) -> problems found."""
    tmp = tmp_path_factory.mktemp("walk")
    with pytest.MonkeyPatch.context() as mp:
        for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "CONTENTGEN_MODEL"):
            mp.delenv(var, raising=False)
        mp.setenv("CONTENTGEN_DB", str(tmp / "walk.db"))
        # AppTest sessions look like one client to the login throttle; one failed login per
        # session (its message is read too) must not lock the walk out.
        mp.setenv("CONTENTGEN_LOGIN_MAX_FAILURES", "1000")
        allowed = _allowed_content(_seed(tmp / "walk.db"))
        results: dict[tuple[str, str], list[str]] = {}
        for lang in LANGS:
            for role in ROLE_USER:
                for page, found in _walk(lang, role, allowed).items():
                    results.setdefault((lang, page), []).extend(found)
                for page in ("login", "shell", *pages_for(role)):
                    results.setdefault((lang, page), [])
        results[("audit", "unnamed")] = _unnamed_audit(tmp / "walk.db")
    return results


def _unnamed_audit(db: Path) -> list[str]:
    """Actions and roles the audit trail recorded (the walk's own logins included) without a name."""
    from contentgen.usecases import open_library

    lib = open_library(db)
    try:
        events = lib.audit_log(limit=1000)
    finally:
        lib.close()
    return sorted({f"{kind}:{value}" for e in events for kind, value in (("action", e.action), ("role", e.role))
                   if value and f"{kind}:{value}" not in LABELS})


def test_every_audited_action_and_role_has_a_name(walk: dict[tuple[str, str], list[str]]) -> None:
    assert walk[("audit", "unnamed")] == [], "add them to review_ui/labels/names.py"


PAGES = ("login", "shell", *dict.fromkeys(p for pages in ROLE_PAGES.values() for p in pages))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", PAGES)
def test_every_page_speaks_the_users_language(walk: dict[tuple[str, str], list[str]], lang: str,
                                               page: str) -> None:
    assert (lang, page) in walk, f"no role saw {page}: the walk did not reach it"
    found = list(dict.fromkeys(walk[(lang, page)]))
    assert not found, f"{page} in {lang}:\n" + "\n".join(found[:40])


def test_the_checks_catch_what_they_are_for() -> None:
    assert raw_identifiers("mat_1 · **wecom_1v1** · v2", "zh") == ["wecom_1v1"]
    assert raw_identifiers("客群 dormant.mass 的计划", "zh") == ["dormant.mass"]
    assert raw_identifiers("状态: in_review", "en") == ["in_review"]
    assert raw_identifiers("draft", "zh") == ["draft"]
    assert not raw_identifiers("Dormant · mass", "en"), "a name with a separator is one name"
    assert not raw_identifiers("zh-CN.advertising-law · push/reactivation@1.0.0", "zh")
    assert not raw_identifiers("Save draft", "en") and not raw_identifiers("企业微信一对一", "zh")
    assert catalogue_english("登录失败：Unknown user or wrong password")
    assert catalogue_english("Approve")
    assert not catalogue_english("周末野餐篮上新")
    assert problems(name("channel", "wecom_1v1", "zh"), "zh") == []


def test_my_pages_can_be_left_in_english(lib: Any, app: Any, make_material: Any) -> None:
    """AppTest formats a page's options again when it leaves the page, outside the session: an
    option name looked up then would be Chinese while the options are English, and the switch
    fails. These pages name their options during the run."""
    make_material("released")
    at = app("root", "library_page")  # (the first page, Generate, is left while still in zh)
    at.session_state["ui_lang"] = "en"
    at.run()
    for page in ("rules", "prompts_page", "my_work", "library_page"):
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (page, at.exception)
    assert at.title[0].value == "Library"


def test_every_label_key_a_page_asks_for_is_in_the_catalogue() -> None:
    """t("key") of a missing key shows the key itself: find them before a person does."""
    root = Path(__file__).resolve().parents[2] / "review_ui"
    call = re.compile(r"""\b(?:t|label)\(\s*["']([a-z][a-z0-9_]*)["']\s*[,)]""")
    missing = sorted({f"{p.relative_to(root)}: {key}" for p in root.rglob("*.py")
                      if "labels" not in p.parts
                      for key in call.findall(p.read_text(encoding="utf-8")) if key not in LABELS})
    assert not missing, missing
