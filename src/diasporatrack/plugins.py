"""Finding, loading and calling plugins.

Plugins are registered in this order: the built-ins, then installed packages
through the entry point group ``diasporatrack``, then the files named under
``plugins:`` in the workspace's ``diasporatrack.yaml``, then objects passed to
``Tracker.open(plugins=[...])``. Nothing is loaded that is not installed or
named. ``disable:`` in the config turns plugins off by name. A plugin file
runs only once the user trusts it, and a process-wide switch turns every
installed plugin and plugin file off (see :mod:`diasporatrack.trust`).

Every failure is a :class:`PluginError` naming the plugin (and the hook), so
a broken plugin is easy to find and never half-writes data: registries are
built before anything is written. ``SystemExit`` and ``KeyboardInterrupt``
raised by plugin code are failures like any other. What plugin code prints
goes to stderr (:func:`~diasporatrack.plugincode.output_to_stderr`): stdout carries the command's
output alone, so ``export json`` stays JSON.
"""

from __future__ import annotations

import importlib
import os
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

from . import hookspecs, trust
from .entrypoints import GROUP as ENTRY_POINT_GROUP
from .errors import DiasporatrackError
from .plugincode import describe as _describe, output_to_stderr, run_file
from .protocols import (DocumentImporter, Exporter, Extractor, PlanRule, Preset, ReminderChannel, ReminderRule,
                        Scorer, TableReader)
from .registry import PluginError, PluginInfo, Registry
from .trust import UntrustedPluginWarning

__all__ = ["BUILTINS", "ENTRY_POINT_GROUP", "PluginError", "PluginInfo", "Plugins", "Registry"]

if TYPE_CHECKING:
    from .model import Event, Recommendation
    from .tracker import Tracker

# Built-in plugins: ordinary modules with @hookimpl functions, by plugin name.
BUILTINS = {
    "builtin.json": "diasporatrack.builtin.json_exporter",
    "builtin.csv": "diasporatrack.builtin.csv_exporter",
    "builtin.markdown": "diasporatrack.builtin.markdown_exporter",
    "builtin.html": "diasporatrack.builtin.html_exporter",
    "builtin.ics": "diasporatrack.builtin.ics_exporter",
    "builtin.sqlite": "diasporatrack.builtin.sqlite_exporter",
    "builtin.site": "diasporatrack.builtin.site_exporter",
    "builtin.scorers": "diasporatrack.builtin.scorers",
    "builtin.reminder_rules": "diasporatrack.builtin.reminder_rules",
    "builtin.console": "diasporatrack.builtin.console_channel",
    "builtin.email": "diasporatrack.builtin.email_channel",
    "builtin.calendar": "diasporatrack.builtin.calendar_channel",
    "builtin.heuristic_extractor": "diasporatrack.builtin.extractors.heuristic",
    "builtin.csv_importer": "diasporatrack.builtin.importers.csv",
    "builtin.markdown_importer": "diasporatrack.builtin.importers.markdown",
    "builtin.json_importer": "diasporatrack.builtin.importers.json",
    "builtin.upr": "diasporatrack.builtin.importers.upr",
    "builtin.upr_info": "diasporatrack.builtin.importers.upr_info",
    "builtin.decidim": "diasporatrack.builtin.importers.decidim",
    "builtin.office_importers": "diasporatrack.builtin.importers.office",
    "builtin.ohchr": "diasporatrack.builtin.importers.ohchr",
}


_KINDS: dict[str, tuple[str, Any, str]] = {  # protocol: a class, or a tuple of classes (any one fits)
    "register_exporters": ("exporter", Exporter, "name, extension, description and export()"),
    "register_scorers": ("scorer", Scorer, "name, description and score()"),
    "register_reminder_rules": ("reminder rule", ReminderRule, "name, description and check()"),
    "register_plan_rules": ("plan rule", PlanRule, "name, description and check_action()"),
    "register_reminder_channels": ("reminder channel", ReminderChannel, "name, description and deliver()"),
    "register_extractors": ("extractor", Extractor, "name, description and extract()"),
    "register_importers": ("importer", (TableReader, DocumentImporter, Preset),
                           "name, description and either extensions, options and read() or plan(), or columns"),
}


class Plugins:
    """The plugin manager of one tracker (or of the CLI before a tracker exists)."""

    def __init__(
        self,
        root: Path | None = None,
        config: Mapping[str, Any] | None = None,
        extra: Iterable[Any] = (),
        *,
        entry_points: bool = True,
        local: bool = True,
    ) -> None:
        """Register the built-ins, then installed plugins (``entry_points``), the workspace's
        trusted plugin files (``local``) and ``extra`` objects.

        With plugins switched off (:func:`diasporatrack.trust.plugins_off`)
        only the built-ins and ``extra`` are registered; installed plugins and
        plugin files are still named, so ``disable:`` can refer to them.
        """
        config = config or {}
        off = trust.plugins_off()
        self.root = root
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.info: dict[str, PluginInfo] = {}
        self.disabled = set(config.get("disable") or ())
        self._names: set[str] = set()  # every plugin found, disabled ones included
        self._registries: dict[str, Registry] = {}
        self.untrusted: list[tuple[Path, str]] = []  # plugin files not loaded, and why
        self.skipped_files: list[Path] = []  # plugin files not loaded because local=False
        for name, module in BUILTINS.items():
            self._register_lazy(name, lambda module=module: importlib.import_module(module),
                                PluginInfo(name, "builtin", module))
        if entry_points:
            self._load_entry_points(load=not off)
        files = [Path(entry) if root is None else root / entry for entry in config.get("plugins") or ()]
        self._load_files(files, load=local and not off, check=not off)
        for index, plugin in enumerate(extra):
            if self.pm.is_registered(plugin):
                continue  # already loaded, e.g. installed and passed to Tracker.open too
            name = getattr(plugin, "__name__", None) or f"{type(plugin).__name__}-{index}"
            self._register(plugin, PluginInfo(name, "object", repr(plugin)[:80]))
        if self.untrusted:  # said before any error below, which it may explain
            warnings.warn(UntrustedPluginWarning(self._untrusted_message()), stacklevel=2)
        unknown = self.disabled - self._names
        if unknown:
            raise PluginError(f"disable: no plugin is named {sorted(unknown)[0]!r} "
                              f"(plugins: {', '.join(sorted(self._names))})")
        self._check()

    def _untrusted_message(self) -> str:
        """One line: which files were not run, why, and the command that trusts them."""
        import shlex

        from .workspace import display_path

        shown = [f"{trust.shown(display_path(path))} ({why})" for path, why in self.untrusted]
        files = f"plugin file {shown[0]}" if len(shown) == 1 else \
            f"{len(shown)} plugin files: {', '.join(shown)}"
        where = f" --root {trust.shown(shlex.quote(str(self.root)))}" if self.root is not None else ""
        them = "it" if len(shown) == 1 else "them"
        return f"not running {files}; review {them}, then run: diasporatrack trust{where}"

    # --- loading ----------------------------------------------------------

    def _register_lazy(self, name: str, load: Callable[[], Any], info: PluginInfo) -> None:
        self._names.add(name)
        if name in self.disabled:
            return
        with output_to_stderr():
            try:
                plugin = load()
            except DiasporatrackError:
                raise
            except BaseException as err:  # noqa: BLE001 - sys.exit() or Ctrl-C in an import is named too
                raise PluginError(f"plugin {name!r} failed to load: {_describe(err)}") from err
        self._register(plugin, info)

    def _register(self, plugin: Any, info: PluginInfo) -> None:
        self._names.add(info.name)
        if info.name in self.disabled:
            return
        if info.name in self.info:
            raise PluginError(f"two plugins are named {info.name!r}: {self.info[info.name].location} "
                              f"and {info.location}")
        try:
            self.pm.register(plugin, name=info.name)
        except pluggy.PluginValidationError as err:
            raise PluginError(f"plugin {info.name!r} is invalid: {err}") from err
        except ValueError as err:
            raise PluginError(f"plugin {info.name!r} cannot be registered: {err}") from err
        self.info[info.name] = info

    def _load_entry_points(self, load: bool = True) -> None:
        from .entrypoints import listed, load as load_entry_point

        try:
            found = listed(ENTRY_POINT_GROUP)
        except Exception as err:  # broken metadata of some installed distribution
            if not load:
                return  # plugins are off: nothing to load, and the switch must work whatever is installed
            raise PluginError(f"the installed plugins cannot be listed: {type(err).__name__}: {err}") from err
        for name, value, dist, version in found:
            if not load or not trust.installed_allowed(name):
                self._names.add(name)  # named (for disable:), never imported
                continue
            location = f"{dist} {version}" if dist is not None else value
            self._register_lazy(name, lambda value=value: load_entry_point(value), PluginInfo(
                name, "entry point", location, version if dist is not None else None))

    def _load_files(self, paths: Sequence[Path], load: bool, check: bool = True) -> None:
        """The workspace's plugin files: named always, checked to exist if ``check`` (not when plugins are
        switched off: the switch is the way out of any plugin trouble), run only if ``load`` and trusted."""
        store: dict[str, dict[str, str]] | None = None
        store_error = ""
        for path in paths:
            name = path.stem
            self._names.add(name)
            if name in self.disabled:
                continue
            if check and not os.path.lexists(path):
                raise PluginError(f"plugin file {trust.shown(path)} (named in diasporatrack.yaml) does not exist")
            if not load:
                self.skipped_files.append(path)
                continue
            try:
                real, data = trust.read_plugin_file(path)
            except trust.TrustError as err:
                raise PluginError(f"{err} (named in diasporatrack.yaml)") from err
            if store is None:
                try:
                    store = {} if trust.local_trusted_by_environment() else trust.read_store()
                except trust.TrustError as err:  # a damaged store trusts nothing; it says so
                    store_error = str(err)
                    store = {}
            if store_error:
                self.untrusted.append((path, store_error))
                continue
            why = trust.why_untrusted(real, data, store)
            if why is not None:
                self.untrusted.append((path, why))
                continue
            self._register_lazy(name, lambda real=real, data=data, name=name: run_file(name, real, data),
                                PluginInfo(name, "file", str(path)))

    def _check(self) -> None:
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as err:
            import difflib
            import re

            plugin = self.pm.get_name(err.plugin) if err.plugin is not None else "?"
            found = re.search(r"unknown hook '(\w+)'", str(err))
            if not found:
                raise PluginError(f"plugin {plugin!r} is invalid: {err}") from err
            hook = found.group(1)
            specs = [name for name in dir(hookspecs) if name.startswith(("register_", "validate_", "on_"))]
            close = difflib.get_close_matches(hook, specs, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f"; hooks are: {', '.join(sorted(specs))}"
            raise PluginError(f"plugin {plugin!r} implements unknown hook {hook!r}{hint}") from err

    # --- calling ----------------------------------------------------------

    def _impls(self, hook: str) -> list[pluggy.HookImpl]:
        # Registration order: built-ins first, so "first" in messages means first loaded.
        return list(getattr(self.pm.hook, hook).get_hookimpls())

    def registry(self, hook: str) -> Registry:
        """Everything plugins register through ``hook``, by name; built once."""
        if hook in self._registries:
            return self._registries[hook]
        kind, protocol, needs = _KINDS[hook]
        items: dict[str, Any] = {}
        owners: dict[str, str] = {}
        for impl in self._impls(hook):
            plugin = impl.plugin_name
            try:
                with output_to_stderr():
                    result = impl.function()
            except BaseException as err:  # noqa: BLE001 - sys.exit() and Ctrl-C in a hook are named too
                raise PluginError(f"plugin {plugin!r} failed in {hook}: {_describe(err)}") from err
            if result is None:
                continue
            objects = list(result) if isinstance(result, (list, tuple)) else [result]
            for obj in objects:
                if not isinstance(obj, protocol):
                    article = "an" if kind[0] in "aeiou" else "a"
                    raise PluginError(f"plugin {plugin!r} returned {obj!r} from {hook}, which is not {article} "
                                      f"{kind} ({article} {kind} needs {needs})")
                name = obj.name
                if not isinstance(name, str) or not name:
                    raise PluginError(f"plugin {plugin!r} registered a {kind} without a name")
                if name in items:
                    raise PluginError(f"{kind} {name!r} is registered by two plugins: {owners[name]!r} "
                                      f"and {plugin!r}")
                items[name] = obj
                owners[name] = plugin
        registry = Registry(kind, items, owners)
        self._registries[hook] = registry
        return registry

    @property
    def exporters(self) -> Registry:
        return self.registry("register_exporters")

    @property
    def scorers(self) -> Registry:
        return self.registry("register_scorers")

    @property
    def reminder_rules(self) -> Registry:
        return self.registry("register_reminder_rules")

    @property
    def plan_rules(self) -> Registry:
        return self.registry("register_plan_rules")

    @property
    def reminder_channels(self) -> Registry:
        return self.registry("register_reminder_channels")

    @property
    def extractors(self) -> Registry:
        return self.registry("register_extractors")

    @property
    def importers(self) -> Registry:
        """Table readers, document importers and presets, by name (one namespace for all three)."""
        return self.registry("register_importers")

    def validate(self, recommendation: Recommendation, tracker: Tracker) -> list[tuple[str, str]]:
        """Problems plugins find in a recommendation, as (plugin, message) pairs."""
        found = []
        for impl in self._impls("validate_recommendation"):
            try:
                with output_to_stderr():  # no-op when the caller already redirected (Tracker.check)
                    messages = impl.function(recommendation=recommendation, tracker=tracker)
            except BaseException as err:  # noqa: BLE001
                raise PluginError(f"plugin {impl.plugin_name!r} failed in validate_recommendation "
                                  f"for {recommendation.id}: {_describe(err)}") from err
            if messages is None:
                continue
            if isinstance(messages, str):
                messages = [messages]
            if not isinstance(messages, (list, tuple)) or not all(isinstance(m, str) for m in messages):
                raise PluginError(f"plugin {impl.plugin_name!r} returned {type(messages).__name__} from "
                                  "validate_recommendation (it must return a list of messages, or None)")
            found.extend((impl.plugin_name, m) for m in messages)
        return found

    def notify(self, tracker: Tracker, events: Sequence[Event]) -> None:
        """Tell every ``on_event`` listener; all run even if one fails."""
        failures = []
        with output_to_stderr():
            for event in events:
                for impl in self._impls("on_event"):
                    try:
                        impl.function(tracker=tracker, event=event)
                    except BaseException as err:  # noqa: BLE001 - the event is stored: report, go on
                        failures.append(f"plugin {impl.plugin_name!r} failed in on_event: {_describe(err)}")
        if failures:
            raise PluginError("; ".join(failures) + " (the event itself was stored)")

    def add_commands(self, subparsers: Any) -> dict[str, str]:
        """Let plugins add CLI commands; returns which plugin added each command."""
        added: dict[str, str] = {}
        for impl in self._impls("register_commands"):
            before = set(subparsers.choices)
            try:
                with output_to_stderr():
                    impl.function(subparsers=subparsers)
            except BaseException as err:  # noqa: BLE001
                raise PluginError(f"plugin {impl.plugin_name!r} failed in register_commands: "
                                  f"{_describe(err)}") from err
            for name in set(subparsers.choices) - before:
                added[name] = impl.plugin_name
        return added

    def describe(self) -> list[dict[str, Any]]:
        """Every loaded plugin: origin, version, hooks and what it registers."""
        registered: dict[str, dict[str, list[str]]] = {}
        for hook, (kind, _, _) in _KINDS.items():
            registry = self.registry(hook)
            for name, plugin in registry.owners.items():
                registered.setdefault(plugin, {}).setdefault(kind + "s", []).append(name)
        out = []
        for name, info in self.info.items():
            plugin = self.pm.get_plugin(name)
            hooks = sorted(h.name for h in self.pm.get_hookcallers(plugin) or ())
            out.append({
                "name": name,
                "origin": info.origin,
                "location": info.location,
                "version": info.version,
                "hooks": hooks,
                "registers": {k: sorted(v) for k, v in sorted(registered.get(name, {}).items())},
            })
        return out
