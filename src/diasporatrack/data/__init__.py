"""Data files shipped with the package (see each file's ``about``)."""
