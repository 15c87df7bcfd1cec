"""The domain: declarations, money, code lists, rules, valuation, lifecycle and events.

Pure Python; nothing here performs I/O or imports outside the standard library.
"""
