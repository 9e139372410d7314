"""The built-in importers: the CSV reader, the Markdown and JSON importers, and the presets.

Each module is an ordinary plugin registered through ``register_importers``,
like a third party's; see ``docs/writing-plugins.md`` and ``docs/importing.md``.
"""
