"""The static site of a state repository (`proxstate site`): HTML pages rendered with Jinja2 from
the record and its history, searchable offline, with no request outside the site."""
