"""Every role's pages, in the order the app includes them."""

from __future__ import annotations

from fastapi import APIRouter

from clearway.entrypoints.web import (
    account,
    admin,
    agency,
    analyst,
    auditor,
    officer,
    trader,
    trader_lodge,
)

ROUTERS: tuple[APIRouter, ...] = (
    trader.router,
    trader_lodge.router,
    officer.router,
    agency.router,
    analyst.router,
    auditor.router,
    admin.router,
    account.router,
)
