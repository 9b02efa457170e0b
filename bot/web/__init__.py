"""The web console (管理后台): see app.py."""
