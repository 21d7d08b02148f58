"""`eventwire serve`: an HTTP API and a web dashboard over the event store (needs `eventwire[serve]`).

    from eventwire.serve import create_app
    app = create_app("eventwire.duckdb", api_key="secret")   # a FastAPI app; run it with uvicorn
"""
from .app import app_from_env, create_app

__all__ = ["create_app", "app_from_env"]
