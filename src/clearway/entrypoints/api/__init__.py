"""The HTTP API (FastAPI): ``/api/v1``, ``/health``, ``/ready`` and the OpenAPI documents."""
