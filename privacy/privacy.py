"""Central declarations for third-party models (allauth, Django admin, Celery results).

Each app declares its own models in ``<app>/privacy.py``; models the platform
does not own are declared here, and those holding no personal data are
listed with the reason, so the system check can classify every table.
"""

from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts.privacy import user_triggers
from privacy.registry import Anonymise, Category, LegalBasis, PersonalData, Strategy, register, registry

S = Strategy


def _account_data(model: str, fields: tuple[Anonymise, ...], prefix: str = "user__", **extra) -> PersonalData:
    return register(
        PersonalData(
            model=model,
            category=Category.ACCOUNT,
            purpose=_("Your account: signing in, your orders, your preferences."),
            record_purpose=_("Providing the customer's account: signing in, orders and preferences."),
            legal_basis=LegalBasis.CONTRACT,
            subject=prefix.removesuffix("__"),
            fields=fields,
            anonymise_by_deleting=True,
            triggers=user_triggers(prefix),
            exclude=Q(**{f"{prefix}is_staff": True}) | Q(**{f"{prefix}is_superuser": True}),
            **extra,
        )
    )


_account_data(
    "account.EmailAddress",
    (Anonymise("email", S.UNIQUE_PLACEHOLDER, "anonymised-{pk}@anonymised.invalid"),),
    examples=_("your e-mail addresses and whether they are verified"),
)
_account_data(
    "account.EmailConfirmation",
    (Anonymise("key", S.BLANK),),
    prefix="email_address__user__",
)
_account_data(
    "mfa.Authenticator",
    (Anonymise("data", S.BLANK),),
    examples=_("your two-factor authentication settings"),
)
_account_data(
    "socialaccount.SocialAccount",
    (Anonymise("uid", S.BLANK), Anonymise("extra_data", S.BLANK)),
    examples=_("the Google, Facebook or Instagram account you sign in with"),
)
_account_data(
    "socialaccount.SocialToken",
    (Anonymise("token", S.BLANK), Anonymise("token_secret", S.BLANK)),
    prefix="account__user__",
)

register(
    PersonalData(
        model="admin.LogEntry",
        category=Category.ACCESS_LOG,
        purpose=_("Evidence of what staff changed and when."),
        legal_basis=LegalBasis.LEGITIMATE_INTEREST,
        examples=_("which staff member changed which record, and when"),
        subject="user",
        fields=(Anonymise("object_repr", S.BLANK), Anonymise("change_message", S.BLANK)),
        anonymise_by_deleting=True,
        triggers={"recorded": F("action_time")},
    )
)

registry.not_personal("auth.Group", "staff roles")
registry.not_personal("auth.Permission", "permission names")
registry.not_personal("auth.Group_permissions", "which permissions a staff role has")
registry.not_personal("contenttypes.ContentType", "model names")
registry.not_personal("sites.Site", "the site's domain")
registry.not_personal("sessions.Session", "unused: the platform's sessions live in accounts.Session")
registry.not_personal("socialaccount.SocialApp", "the platform's own OAuth client settings")
registry.not_personal("socialaccount.SocialApp_sites", "which sites an OAuth client serves")
registry.not_personal(
    "django_celery_results.TaskResult",
    "tasks take record ids, never personal data, and results expire after CELERY_RESULT_EXPIRES",
)
registry.not_personal("django_celery_results.GroupResult", "ids of task groups")
registry.not_personal("django_celery_results.ChordCounter", "ids of task chords")
registry.not_personal("privacy.SweepRun", "counts per retention rule")
registry.not_personal("privacy.PendingFileRemoval", "storage keys of files being removed")
registry.not_personal("privacy.PolicyVersion", "the published privacy policy")


register(
    PersonalData(
        model="privacy.DataExport",
        category=Category.PRIVACY_REQUEST,
        purpose=_("Giving you a copy of your data when you ask for it."),
        record_purpose=_("Answering the data subject's requests for access and portability."),
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        examples=_("when you asked for a copy of your data, and the copy itself for 7 days"),
        subject="user",
        fields=(),
        files=("file",),
        anonymise_by_deleting=True,
        # MYS-2: the record of the request; its file goes 7 days after it is ready (privacy.exports).
        triggers={"request_closed": lambda: Coalesce(F("finished_at"), F("requested_at"))},
    )
)

_account_data(
    "privacy.RetentionNotice",
    (),
    examples=_("the notices we sent you before deleting data"),
)

# PIX-8, SMP-8: proof of each cookie choice, deleted 13 months after it was made.
register(
    PersonalData(
        model="privacy.CookieConsent",
        category=Category.COOKIE_CONSENT,
        purpose=_("Proving which cookies you allowed, and when."),
        record_purpose=_("Keeping proof of each visitor's cookie consent (GDPR article 7)."),
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        examples=_(
            "an anonymous consent id, the categories you accepted, the policy version and a shortened IP address"
        ),
        subject="user",
        fields=(Anonymise("ip_network", S.BLANK),),
        anonymise_by_deleting=True,
        triggers={"consent_given": F("given_at")},
    )
)

# ALB-3, ALB-4, MYS-2: data-subject requests and their identity proof, deleted a year after they are closed.
# An erasure of the person blanks what names them and keeps the keyed hash: proof the request was handled.
register(
    PersonalData(
        model="privacy.PrivacyRequest",
        category=Category.PRIVACY_REQUEST,
        purpose=_("Handling the requests you make about your data, and proving that we did."),
        record_purpose=_("Handling data subjects' requests (access, erasure, objection, ...) and proving it."),
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        examples=_(
            "what you asked, your e-mail address and name, each step we took, and an identity document "
            "until your identity is confirmed"
        ),
        subject="user",
        fields=(
            Anonymise("email", S.BLANK),
            Anonymise("name", S.BLANK),
            Anonymise("details", S.BLANK),
            Anonymise("outcome", S.BLANK),
            Anonymise("identity_document", S.DROP),
        ),
        files=("identity_document",),
        anonymised_marker="anonymised_at",
        not_personal_fields={
            "email_hash": "a keyed hash (HMAC) of the address: proof the request was handled, not the address",
            "email_confirmed_at": "the moment a link was confirmed, not the address",
        },
        triggers={"request_closed": F("closed_at")},
    )
)
register(
    PersonalData(
        model="privacy.PrivacyRequestEvent",
        category=Category.PRIVACY_REQUEST,
        purpose=_("Handling the requests you make about your data, and proving that we did."),
        record_purpose=_("Handling data subjects' requests (access, erasure, objection, ...) and proving it."),
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        subject="request__user",
        fields=(Anonymise("note", S.BLANK),),
        anonymised_marker="anonymised_at",
        triggers={"request_closed": F("request__closed_at")},
    )
)

# PIX-9: every staff view or export of a person's data, kept 2 years as evidence. An erasure of the
# person removes the link to them; what the staff member did stays (it names no one then).
register(
    PersonalData(
        model="privacy.AccessLogEntry",
        category=Category.ACCESS_LOG,
        purpose=_("Evidence of which staff member looked at or exported your data, and when."),
        record_purpose=_("Logging every staff access to a person's data (who, what, whose, when)."),
        legal_basis=LegalBasis.LEGITIMATE_INTEREST,
        examples=_("which staff member opened your account, orders or photos, and when"),
        subject="subject",
        fields=(Anonymise("subject", S.NULL),),
        anonymised_marker="anonymised_at",
        triggers={"recorded": F("at")},
    )
)

# SMP-12: who a data breach concerned and when they were told; the breach's own record names no one.
registry.not_personal(
    "privacy.Breach", "an incident's description and notice texts; the people it concerns are in privacy.BreachNotice"
)
register(
    PersonalData(
        model="privacy.BreachNotice",
        category=Category.ACCESS_LOG,
        purpose=_("Telling you about a security incident that concerns your data, and proving that we did."),
        record_purpose=_("Notifying the people a personal-data breach concerns (GDPR article 34) and proving it."),
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        examples=_("that a security incident concerned you, and when we told you"),
        subject="user",
        fields=(),
        anonymise_by_deleting=True,
        triggers={"recorded": lambda: Coalesce(F("notified_at"), F("linked_at"))},
    )
)
