"""The staff console: thin views that parse, fetch scoped, call one service, render.

One module per domain; each view is imported by `console.urls` from its module."""
