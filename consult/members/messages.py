"""Import and registry problems worded in the reader's language."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from consult.members.csvimport import Problem

FIELDS = {
    "code": _l("code"),
    "name": _l("name"),
    "name_fr": _l("French name"),
    "name_es": _l("Spanish name"),
    "region": _l("region"),
}


def describe(problem: Problem) -> str:
    """One sentence for ``problem`` (its line is shown beside it, not in it)."""
    p = dict(problem.params)
    if "field" in p:
        p["field"] = str(FIELDS.get(p["field"], p["field"]))
    code = problem.code
    if code == "empty":
        return _("The file holds no member.")
    if code == "unreadable":
        return _("This line cannot be read as CSV (check the quotes).")
    if code == "header":
        return _("The first line must name the columns %(columns)s.", columns=p["columns"])
    if code == "too_many_rows":
        return _("The file has more than %(max)s members; split it.", max=p["max"])
    if code == "columns":
        return _("This line has more cells than the header (%(expected)s).", expected=p["expected"])
    if code == "code_format":
        return _(
            "The code “%(code)s” must be 2 to 10 capital letters or digits, starting with a "
            "letter.",
            code=p["code"],
        )
    if code == "state_code":
        return _("A state needs its three-letter ISO 3166 code, not “%(code)s”.", code=p["code"])
    if code == "kind":
        return _(
            "The kind “%(kind)s” is unknown; use one of %(kinds)s.",
            kind=p["kind"],
            kinds=p["kinds"],
        )
    if code == "name_missing":
        return _(
            "The name is empty, and no ISO 3166 name exists for the code “%(code)s”.",
            code=p["code"],
        )
    if code == "region_missing":
        return _("The region is empty.")
    if code == "region_unknown":
        if p.get("suggest"):
            return _(
                "The region “%(region)s” is not in the list of regions. Did you mean "
                "“%(suggest)s”?",
                region=p["region"],
                suggest=p["suggest"],
            )
        return _("The region “%(region)s” is not in the list of regions.", region=p["region"])
    if code == "too_long":
        return _("The %(field)s is longer than %(max)s characters.", field=p["field"], max=p["max"])
    if code == "control":
        return _("The %(field)s contains control characters.", field=p["field"])
    if code == "formula":
        return _(
            "The %(field)s starts with “%(start)s”, which a spreadsheet would run as a formula.",
            field=p["field"],
            start=p["start"],
        )
    if code == "duplicate":
        return _(
            "The code %(code)s appears already on line %(first)s.",
            code=p["code"],
            first=p["first"],
        )
    if code == "code_taken":
        return _("Another member has the code %(code)s already.", code=p["code"])
    if code == "region_taken":
        return _("A region named “%(name)s” exists already.", name=p["name"])
    if code == "region_used":
        return ngettext(
            "This region still has %(num)d member; move it to another region first.",
            "This region still has %(num)d members; move them to another region first.",
            int(p["count"]),
        )
    if code == "not_utf8":
        return _(
            "The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8” and upload "
            "it again."
        )
    return code
