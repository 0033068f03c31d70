"""Use cases: every operation a face (CLI, Streamlit, HTTP) performs that needs more than one
part of the system, written once. Faces parse input, call one of these, and present the result.

    lib = open_library(settings.db_path)        # the library with the compliance engine as checker
    result = rescan(lib, rules_dir)              # re-check stored versions against changed packs

This is the one layer that imports both the engine (contentgen.*) and the library; neither of
those imports it. See ARCHITECTURE.md.
"""

from contentgen.usecases.library_access import open_library
from contentgen.usecases.rescan import RulePacks, rescan, rescan_before_serving

__all__ = ["RulePacks", "open_library", "rescan", "rescan_before_serving"]
