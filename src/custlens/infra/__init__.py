"""The machinery: caches, work on every core, safe writes, the YAML loader, the settings, timings.

Nothing here knows what a theme is; the pipeline's stages use it.
"""
