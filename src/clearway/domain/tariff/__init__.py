"""The tariff: measures, duty expressions and geography, and the duty they give an item.

Shaped as TARIC (EU Council Regulation 2658/87 Art. 2; the UK Trade Tariff keeps the same
model): a measure ties a measure type to a commodity code, an origin (country or group, with
exclusions), optional additional code and quota order number, a validity period, components (the
duty expression) and conditions. Everything here is pure data and arithmetic; loading lives in
``clearway.adapters``.
"""
