"""The ASGI application uvicorn serves: `uvicorn deliberate.asgi:app`."""

from deliberate.app import create_app

app = create_app()
