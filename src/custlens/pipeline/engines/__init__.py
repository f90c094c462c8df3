"""Similarity engines: one type's statements to groups that say the same thing.

`semantic` (the default) groups sentence vectors by average linkage, cut at two levels; `fuzzy` groups
by shared words and spelling. Both use the compiled loops in `_native` where it was built.
"""
