"""Prompts: every prompt file, and a preview rendered with sample inputs."""

from __future__ import annotations

import streamlit as st
from pydantic import ValidationError

from contentgen.kernel import vocab
from contentgen.kernel.errors import validation_message
from contentgen.kernel.schemas import Brief
from review_ui._safe import md
from review_ui._session import require_user, settings, t, user_errors

require_user()
st.title(t("page_prompts"))

with user_errors():
    from contentgen.prompts import PromptCatalog

    catalog = PromptCatalog.load(settings().prompts_dir)
    st.subheader(t("prompt_files"))
    st.dataframe(
        [
            {"id": f.id, "version": f.version, "content_type": f.content_type,
             "industries": ", ".join(f.industries), "description": f.description, "ref": f.ref}
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

        c1, c2, c3, c4 = st.columns(4)
        industry = c1.selectbox(t("industry"), _opts(pf.industries, vocab.INDUSTRIES), key="p_industry")
        segment = c2.selectbox(t("segment"), _opts(pf.segments, vocab.SEGMENTS), key="p_segment")
        channels = tuple(
            c for c in vocab.CHANNELS if pf.content_type in vocab.CHANNEL_CONTENT_TYPES[c]
        )
        channel = c3.selectbox(t("channel"), _opts(pf.channels, channels), key="p_channel")
        locale = c4.selectbox(t("locale"), _opts(pf.locales, vocab.LOCALES), key="p_locale")
        product = st.text_input(t("product"), value="氨基酸洁面乳", key="p_product")
        try:
            brief = Brief(
                industry=industry, segment=segment, content_type=pf.content_type,
                channel=channel, locale=locale, product=product or "-",
                selling_points=["温和不紧绷"],
            )
        except ValidationError as e:
            st.error(md(validation_message(e)))
        else:
            rendered = pf.render(brief, variant=1, variants=1)
            st.markdown("**system**")
            st.code(rendered.system, language=None, wrap_lines=True)
            st.markdown("**user**")
            st.code(rendered.user, language=None, wrap_lines=True)
