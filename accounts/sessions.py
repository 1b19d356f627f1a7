"""Session engine storing sessions in ``accounts.Session`` with their account."""

from django.contrib.sessions.backends.db import SessionStore as DBStore


class SessionStore(DBStore):
    @classmethod
    def get_model_class(cls):
        from accounts.models import Session

        return Session

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        user_id = data.get("_auth_user_id")
        instance.account_id = int(user_id) if user_id and str(user_id).isdigit() else None
        return instance
