"""Reports to what people and scripts read: terminal tables and plain text, JSON, CSV, Markdown, GitHub
annotations and the HTML page. Nothing here computes; it lays out what a report holds.
"""
