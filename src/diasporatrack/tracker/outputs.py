"""What a tracker does through plugins: checks, scores, exports and the public view."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import DiasporatrackError, InputError, Problem
from ..model import Recommendation
from .values import hint, parse_date

if TYPE_CHECKING:
    from ..protocols import Context, Score


class Outputs:
    """Validation, scoring and exporting, each through the plugins. Part of :class:`~diasporatrack.tracker.Tracker`."""

    def check(self, *, require_archive: bool = False) -> list[Problem]:
        """Every problem: the files', the quotes' (proven against archived sources), then plugins'.

        Warnings (a changed archive, journal notices) are added to ``warnings``.
        ``require_archive`` makes a source without an archived text a problem.
        """
        if self._events is None:  # opened from the cache, which keeps no file locations
            full = type(self).load(self.root, plugins=self._extra_plugins)
            full._plugins = self._plugins
            found = full.check(require_archive=require_archive)
            self.warnings = full.warnings
            return found
        from ..plugins import output_to_stderr
        from ..quotes import check_quotes

        from ..actions import load_plan

        found = list(self.problems) + load_plan(self).problems + self.set_aside + self.contact_problems()
        quote_problems, quote_warnings = check_quotes(self, require_archive=require_archive)
        found += quote_problems
        self.warnings.extend(w for w in quote_warnings if w not in self.warnings)
        plugins = self.plugins
        with output_to_stderr():  # once for all recommendations: what validators print goes to stderr
            for rec in self._state.values():
                where = self.workspace.locations.get(rec.id)
                for plugin, message in plugins.validate(rec, self):
                    found.append(Problem(message=f"{rec.id}: {message} [{plugin}]",
                                         path=where.path if where else None, line=where.line if where else None))
        return found

    def contact_problems(self) -> list[Problem]:
        """Owners' e-mail addresses no mail can be sent to, located in owners.yaml.

        ``validate`` reports them; they do not stop the workspace from
        opening, since only the reminders to those owners can fail.
        """
        from ..contacts import contact_problem

        found = []
        for owner in self.owners.values():
            problem = contact_problem(owner.email) if owner.email else None
            if problem is not None:
                where = (self.workspace.locations.get(f"owner:{owner.id}#email")
                         or self.workspace.locations.get(f"owner:{owner.id}"))
                found.append(Problem(message=f"owner {owner.id!r}: email: {problem}",
                                     path=where.path if where else None, line=where.line if where else None))
        return found

    def context(self, today: str | dt.date | None = None) -> Context:
        """What scorers and reminder rules get to see."""
        from ..protocols import Context

        day = parse_date(today, "date") if today is not None else dt.date.today()
        return Context(tracker=self, today=day)

    def score(self, scorer: str = "urgency", recommendations: Iterable[Recommendation] | None = None,
              today: str | dt.date | None = None) -> dict[str, Score]:
        """Scores by recommendation id, each able to explain itself term by term."""
        chosen = self.plugins.scorers[scorer]
        context = self.context(today)
        recs = self if recommendations is None else recommendations
        out = {}
        from ..plugins import PluginError, _describe, output_to_stderr
        from ..protocols import Score

        plugin = self.plugins.scorers.owners[scorer]
        with output_to_stderr():
            for rec in recs:
                try:
                    result = chosen.score(rec, context)
                except DiasporatrackError:
                    raise
                except BaseException as err:  # noqa: BLE001 - sys.exit() and Ctrl-C in a scorer are named too
                    raise PluginError(f"plugin {plugin!r} failed in scorer {scorer!r} for {rec.id}: "
                                      f"{_describe(err)}") from err
                if not isinstance(result, Score):
                    raise PluginError(f"plugin {plugin!r} returned {type(result).__name__} from scorer "
                                      f"{scorer!r} (score() must return a diasporatrack.protocols.Score)")
                out[rec.id] = result
        return out

    def export(self, format: str, recommendations: Iterable[Recommendation] | None = None, *,
               public: bool | None = None, lang: str | None = None) -> str | bytes | dict[str, bytes]:
        """The recommendations (default: all) in an exporter's format.

        A folder exporter (``folder = True``, such as ``site``) returns a dict of relative file names to
        bytes; :func:`diasporatrack.files.write_folder` writes it.

        ``public`` (default: the exporter's own ``public`` attribute, true for
        published artefacts such as ``html`` and ``sqlite``) hands the
        exporter a :class:`~diasporatrack.publish.PublishedView`: no e-mail
        address, no member's name, no private note, and only what the
        ``publish:`` settings choose. ``public=False`` exports everything.

        ``lang`` (a language tag such as ``ur``) asks for text in that language where it is translated:
        the exporter gets a view whose ``language`` says so (see :mod:`diasporatrack.translations`), and
        marks each text with the language it is in.
        """
        if lang is not None:
            from ..translations import tag_problem

            if tag_problem(lang):
                raise InputError(f"lang: {tag_problem(lang)}")
        exporter = self.plugins.exporters[format]
        recs = list(self if recommendations is None else recommendations)
        from ..plugins import PluginError, _describe, output_to_stderr

        source: Any = self
        if public is None:
            public = getattr(exporter, "public", False) is True
        if public:
            source = self.published()
            recs = source.select(recs)
        if lang is not None:
            from ..translations import InLanguage

            source = InLanguage(source, lang)
        plugin = self.plugins.exporters.owners[format]
        try:
            with output_to_stderr():
                data = exporter.export(source, recs)
        except DiasporatrackError:
            raise
        except BaseException as err:  # noqa: BLE001 - sys.exit() and Ctrl-C in an exporter are named too
            raise PluginError(f"plugin {plugin!r} failed in exporter {format!r}: {_describe(err)}") from err
        if getattr(exporter, "folder", False) is True:
            # A folder exporter (``site``) returns its files by relative name, a mapping whose values may be
            # made as they are read (a large site is never whole in memory); write_folder checks names and bytes.
            if not isinstance(data, Mapping) or not all(isinstance(k, str) for k in data):
                raise PluginError(f"plugin {plugin!r} returned {type(data).__name__} from folder exporter "
                                  f"{format!r} (export() must return a mapping of file names to bytes)")
            return data
        if not isinstance(data, (str, bytes)):
            raise PluginError(f"plugin {plugin!r} returned {type(data).__name__} from exporter {format!r} "
                              "(export() must return str or bytes)")
        return data

    def published(self):
        """This tracker as the public may see it, under the workspace's ``publish:`` settings."""
        from ..publish import Profile, PublishedView

        profile = Profile.from_config(self.config)
        unknown = [s for s in profile.sources or () if s not in self.sources]
        if unknown:
            raise InputError(f"publish: sources: no source {unknown[0]!r}{hint(unknown[0], self.sources)}")
        return PublishedView(self, profile)
