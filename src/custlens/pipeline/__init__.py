"""The stages, in the order the data flows through them:

files ─parse─▶ Note ─extract─▶ Statement ─embed─▶ vector ─tag─▶ typed Statement ─engines─▶ groups
      ─themes─▶ Theme (sub-themes, labels) ─triangulate─▶ Evidence

Each stage is a function over typed values; `csvimport` turns a CSV export into a note file, and
`redact` masks personal data in what a report shows.
"""
