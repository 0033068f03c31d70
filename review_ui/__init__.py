"""The Streamlit review UI: thin pages over contentgen and library."""
