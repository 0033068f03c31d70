"""Generate: a brief in, variants side by side, findings marked, fix or edit, save, submit."""

from __future__ import annotations

from typing import Any

import streamlit as st
from pydantic import ValidationError

from contentgen.kernel import vocab
from contentgen.kernel.errors import ContentgenError
from contentgen.kernel.schemas import Brief, content_fields
from contentgen.plan_templates import load_templates
from contentgen.plans import plans_dir
from contentgen.usecases.learning import lessons
from review_ui import _workbench as bench
from review_ui._content import validate
from review_ui._errors import error_message
from review_ui._safe import code, md
from review_ui._session import lang, library, n, offline_badge, require_user, settings, t
from review_ui._views import content_view, field_label, findings_list, verdict_badge

user = require_user()
st.title(t("page_generate"))

c1, c2, c3 = st.columns(3)
industry = c1.selectbox(t("industry"), vocab.INDUSTRIES, key="g_industry",
                        format_func=lambda v: n("industry", v))
segment = c2.selectbox(
    t("segment"), vocab.SEGMENTS, index=vocab.SEGMENTS.index("dormant.mass"), key="g_segment",
    format_func=lambda v: n("segment", v),
)
persona = c3.selectbox(t("persona"), vocab.PERSONAS, key="g_persona",
                       format_func=lambda v: n("persona", v))
content_type = c1.selectbox(t("content_type"), vocab.CONTENT_TYPES, key="g_content_type",
                            format_func=lambda v: n("content_type", v))
# Only channels that carry this content type, so a brief cannot be built that nothing can send.
channels = [c for c in vocab.CHANNELS if content_type in vocab.CHANNEL_CONTENT_TYPES[c]]
channel = c2.selectbox(t("channel"), channels, key="g_channel", format_func=lambda v: n("channel", v))
locale = c3.selectbox(t("locale"), vocab.LOCALES, key="g_locale", format_func=lambda v: n("locale", v))
p1, p2 = st.columns([2, 1])
product = p1.text_input(t("product"), key="g_product")
product_type = p2.selectbox(t("gen_product_type"), [None, *vocab.PRODUCT_TYPES], key="g_product_type",
                            format_func=lambda v: t("gen_inferred") if v is None else n("product_type", v),
                            help=t("gen_product_type_help"))
selling = st.text_area(t("selling_points"), key="g_selling_points", height=80)
c4, c6, c5 = st.columns([3, 2, 1])
offer = c4.text_input(t("offer"), key="g_offer")
brand = c6.text_input(t("gen_brand"), key="g_brand", max_chars=30, help=t("gen_brand_help"))
variants = int(c5.number_input(t("variants"), 1, 20, 3, key="g_variants"))
with st.expander(t("gen_customer")):
    k1, k2, k3 = st.columns(3)
    interests = k1.text_area(t("gen_interests"), key="g_interests", height=80)
    times = k2.text_area(t("gen_times"), key="g_times", height=80, help=t("gen_times_help"))
    days_added = k3.number_input(t("gen_days_added"), min_value=0, max_value=36500, value=None,
                                 step=1, key="g_days_added")
    touch = k3.selectbox(t("gen_touch_model"), [None, *vocab.TOUCH_MODELS], key="g_touch_model",
                         format_func=lambda v: t("gen_unset") if v is None else n("touch_model", v))
with st.expander(t("gen_voice")):
    v1, v2 = st.columns(2)
    persona_interests = v1.text_area(t("gen_persona_interests"), key="g_persona_interests", height=80)
    specialty = v2.text_area(t("gen_specialty"), key="g_specialty", height=80)
    brand_voice = v1.text_input(t("gen_brand_voice"), key="g_brand_voice")
    notes = v2.text_input(t("gen_notes"), key="g_notes")
    objectives = sorted(load_templates(plans_dir(settings())))
    objective = v1.selectbox(t("gen_objective"), [None, *objectives], key="g_objective",
                             format_func=lambda v: t("gen_auto") if v is None else n("objective", v))
    prompt_id = v2.text_input(t("gen_prompt"), key="g_prompt", help=t("gen_prompt_help"))


def _lines(text: str | None) -> list[str]:
    """One item per line (commas too, full-width or not): how operators paste lists."""
    raw = (text or "").replace("，", "\n").replace("、", "\n").replace(",", "\n")
    return [x.strip() for x in raw.splitlines() if x.strip()]


def _brief() -> Brief | None:
    try:
        return Brief(
            industry=industry,
            segment=segment,
            persona=persona,
            content_type=content_type,
            channel=channel,
            locale=locale,
            product=product,
            product_type=product_type,
            selling_points=[s.strip() for s in selling.splitlines() if s.strip()],
            offer=offer or None,
            brand=brand.strip() or None,
            interests=_lines(interests),
            preferred_times=_lines(times),
            days_since_added=None if days_added is None else int(days_added),
            touch_model=touch,
            persona_interests=_lines(persona_interests),
            specialty_products=_lines(specialty),
            brand_voice=brand_voice or None,
            notes=notes or None,
            objective=objective,
            prompt=prompt_id.strip() or None,
        )
    except ValidationError as e:
        st.error(_error_text(e))
        return None


def _error_text(e: Exception) -> str:
    """The error in the page's language, escaped for st.error."""
    return md(error_message(e, lang()))


learn = st.checkbox(t("gen_learn"), value=True, key="g_learn", help=t("gen_learn_help"))


def _learned_line(found: Any) -> str:
    if not found:
        return t("gen_learned_none")
    return t("gen_learned", e=len(found.examples), a=len(found.avoid), metric=t(f"perf_rate_{found.metric}"),
             avg=f"{found.pooled_rate:.1%}")


if st.button(t("generate"), key="g_generate", type="primary"):
    brief = _brief()
    if brief is not None:
        from contentgen.generate import DEFAULT_DRAFT_DEADLINE_S, Generator, jobs_for

        bar = st.progress(0.0, text=f"{t('generating')} 0/{variants} · {t('waiting', n=variants)}")
        done: list[Any] = []

        def _progress(outcome: Any) -> None:
            done.append(outcome)
            left = variants - len(done)
            bar.progress(len(done) / variants, text=f"{t('generating')} {len(done)}/{variants}"
                         + (f" · {t('waiting', n=left)}" if left else ""))

        try:
            # A model server that never answers fails each variant at the deadline (not after
            # every retry's HTTP timeout), and the page says so.
            generator = Generator(settings(), deadline_s=DEFAULT_DRAFT_DEADLINE_S,
                                  lessons=lessons(library()) if learn else None)
            learned = _learned_line(generator.lessons_for(brief)) if learn else t("gen_learn_off")
            result = generator.run_sync(jobs_for(brief, variants), concurrency=4, on_done=_progress)
        except ContentgenError as e:
            st.error(_error_text(e))
        else:
            st.session_state["gen"] = {
                "variants": {d.variant: bench.new_variant(d) for d in result.drafts},
                "failures": {f.variant: f.error for f in result.failures},
                "n": variants,
                "learned": learned,
            }
            for key in [k for k in st.session_state if str(k).startswith("g_edit_")]:
                del st.session_state[key]


def _act(action: str, variant_no: int) -> None:
    """Button callback: run one bench action, keep its outcome to show on the next run."""
    work = st.session_state["gen"]["variants"][variant_no]
    work.pop("notice", None)
    work.pop("error", None)
    try:
        if action == "fix":
            n = bench.apply_fixes(work)
            work["notice"] = t("fixes_applied") + f" ({n})" if n else t("nothing_to_fix")
            # The edit boxes show the fixed text, not what was typed before the fix.
            fields = content_fields(validate(work["content"]))
            for name, text in fields.items():
                st.session_state[f"g_edit_{variant_no}_{name}"] = text
        elif action == "save":
            bench.save(library(), work, user.name)
            work["notice"] = f"{t('saved')}: {work['material_id']} v{work['version']}"
        elif action == "submit":
            bench.submit(library(), work, user.name)
            work["notice"] = f"{t('submitted')}: {work['material_id']} v{work['version']}"
    except ContentgenError as e:
        work["error"] = error_message(e, lang())  # plain text: escaped where it is shown


def _edited(variant_no: int, field: str) -> None:
    work = st.session_state["gen"]["variants"][variant_no]
    work.pop("error", None)
    try:
        bench.edit(work, {field: st.session_state[f"g_edit_{variant_no}_{field}"]})
    except ContentgenError as e:
        work["error"] = error_message(e, lang())  # plain text: escaped where it is shown


def _variant(no: int) -> None:
    gen = st.session_state["gen"]
    st.subheader(f"{t('variant')} {no}")
    if no in gen["failures"]:
        # A failure quotes the model server's or the model's own words.
        st.error(f"{t('failed_variant')}: {md(gen['failures'][no])}")
        return
    work = gen["variants"].get(no)
    if work is None:
        return
    offline_badge(work["draft"]["model"])
    verdict_badge(work["report"])
    content_view(work["content"], work["report"])
    findings_list(work["report"])
    if work.get("error"):
        st.error(md(work["error"]))
    if work.get("notice"):
        st.success(md(work["notice"]))
    if work["report"].get("verdict") == "block":
        st.caption(t("blocked_hint"))
    with st.expander(t("edit")):
        for name, text in content_fields(validate(work["content"])).items():
            # Seeded through session state (not value=) so a fix can replace what the box shows.
            st.session_state.setdefault(f"g_edit_{no}_{name}", text)
            st.text_area(
                field_label(name),
                key=f"g_edit_{no}_{name}",
                on_change=_edited,
                args=(no, name),
                height=68 if len(text) < 60 else 160,
            )
    locked = work.get("status") in ("in_review", "approved", "released")
    # Stacked at full card width: three columns of buttons inside a third of a 1024 px page
    # shrink their labels to one character.
    st.button(t("apply_fixes"), key=f"g_fix_{no}", on_click=_act, args=("fix", no), disabled=locked,
              width="stretch")
    st.button(t("save_draft"), key=f"g_save_{no}", on_click=_act, args=("save", no),
              disabled=locked, width="stretch")
    # A draft the rules block cannot be submitted: say so (blocked_hint) instead of erroring.
    st.button(
        t("submit"), key=f"g_submit_{no}", on_click=_act, args=("submit", no), type="primary",
        disabled=locked or work["report"].get("verdict") == "block", width="stretch",
    )
    if work.get("material_id"):
        st.caption(f"{code(work['material_id'])} · v{work['version']} · {md(n('status', work.get('status') or 'draft'))}")


if "gen" in st.session_state:
    st.caption(md(st.session_state["gen"].get("learned", "")))
    numbers = sorted(set(st.session_state["gen"]["variants"]) | set(st.session_state["gen"]["failures"]))
    per_row = 3
    for row in range(0, len(numbers), per_row):
        cols = st.columns(per_row, border=True)
        for col, no in zip(cols, numbers[row : row + per_row], strict=False):
            with col:
                _variant(no)
