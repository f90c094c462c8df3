"""What each command does: one module per command, each a function that takes plain values (the
options the command line built, the config) and returns a report (`custlens.reports`). Printing happens
in `cli`, through `output`.

`synthesis` holds what the report commands share: reading notes (`load`), the options of a report
(`ReportOptions`) and `synthesise` (filter, embed, tag, group, triangulate).
"""
