"""The kernel: vocabulary, content schemas, findings and reports, settings, the error tree.

It imports nothing else of the project, so every layer above (engine, library, use cases,
faces) may depend on it. See ARCHITECTURE.md.
"""
