"""Publishing: what the public may see, shared by every published artefact.

The exporters of published artefacts (``html``, ``sqlite``, ``markdown``,
later the site) get a :class:`PublishedView` of the tracker instead of the
tracker itself, so private data never reaches them: no e-mail address, no
member's name, no note unless it was marked public.
"""

from .profile import MEMBER, PUBLISHABLE_FIELDS, Profile, profile_of
from .view import PublishedView

__all__ = ["MEMBER", "PUBLISHABLE_FIELDS", "Profile", "PublishedView", "profile_of"]
