"""Prompts: every prompt file, and a preview rendered with sample inputs."""

from __future__ import annotations

from typing import Any

import streamlit as st
from pydantic import ValidationError

from contentgen.kernel import vocab
from contentgen.kernel.schemas import Brief
from review_ui._session import error_text, lang, n, require_user, settings, t, user_errors

require_user()
st.title(t("page_prompts"))

with user_errors():
    from contentgen.prompts import PromptCatalog

    catalog = PromptCatalog.load(settings().prompts_dir)
    st.subheader(t("prompt_files"))
    sep = "、" if lang() == "zh" else ", "
    st.dataframe(
        [
            {t("prm_col_id"): f.id, t("version"): f.version,
             t("content_type"): n("content_type", f.content_type),
             t("industry"): sep.join(n("industry", i) for i in f.industries) or t("prm_all_industries"),
             t("prm_col_description"): f.description,  # written by the prompt's author
             t("prm_col_ref"): f.ref}
            for f in catalog.files
        ],
        hide_index=True,
        width="stretch",
    )
    pid = st.selectbox(t("prompt_files"), [f.id for f in catalog.files], key="p_id")
    pf = catalog.get(pid) if pid else None
    if pf is not None:
        st.subheader(f"{t('preview')}: {pf.ref}")
        st.caption(t("sample_inputs"))
        # Sample inputs default to what the file declares it covers, so the preview renders.
        def _opts(declared: tuple[str, ...], every: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(x for x in every if x in declared) or every

        def _pick(column: Any, kind: str, options: tuple[str, ...]) -> str:
            # Names are worked out in this run: AppTest calls format_func again outside the session.
            shown = {v: n(kind, v) for v in options}
            return str(column.selectbox(t(kind), options, key=f"p_{kind}", format_func=shown.__getitem__))

        c1, c2, c3, c4 = st.columns(4)
        industry = _pick(c1, "industry", _opts(pf.industries, vocab.INDUSTRIES))
        segment = _pick(c2, "segment", _opts(pf.segments, vocab.SEGMENTS))
        channels = tuple(
            c for c in vocab.CHANNELS if pf.content_type in vocab.CHANNEL_CONTENT_TYPES[c]
        )
        channel = _pick(c3, "channel", _opts(pf.channels, channels))
        locale = _pick(c4, "locale", _opts(pf.locales, vocab.LOCALES))
        product = st.text_input(t("product"), value=t("prm_sample_product"), key="p_product")
        try:
            brief = Brief(
                industry=industry, segment=segment, content_type=pf.content_type,
                channel=channel, locale=locale, product=product or "-",
                selling_points=[t("prm_sample_point")],
            )
        except ValidationError as e:
            st.error(error_text(e))
        else:
            rendered = pf.render(brief, variant=1, variants=1)
            # The rendered prompt is the file's own text: literal code blocks, never Markdown.
            st.markdown(f"**{t('prm_system')}**")
            st.code(rendered.system, language=None, wrap_lines=True)
            st.markdown(f"**{t('prm_user')}**")
            st.code(rendered.user, language=None, wrap_lines=True)
