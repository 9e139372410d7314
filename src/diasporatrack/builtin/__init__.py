"""The built-in plugins: ordinary plugin modules, registered like any other.

Each module implements hooks from :mod:`diasporatrack.hookspecs`; disable one
with ``disable: [builtin.html]`` in ``diasporatrack.yaml``.
"""
