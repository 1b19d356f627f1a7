"""Texts of other packages that the shop words its own way (nl, fr).

Our catalogues in LOCALE_PATHS come before the packages' own, so an entry
there replaces theirs: allauth's Dutch says "Aanmelden"/"Afmelden" and
"a.u.b." where the shop says "Inloggen"/"Uitloggen" and "je"; Django's Dutch
password help is formal ("Uw"), and its too-short message has a stale msgid so
it shows in English; django-celery-results has no Dutch or French at all.
Listing the msgids here keeps them in the catalogues when makemessages runs.
"""

# ruff: noqa: E501, RUF001
from django.utils.translation import gettext_noop, ngettext_lazy

MESSAGES = (
    # django-allauth
    gettext_noop("Sign In"),
    gettext_noop("Sign Out"),
    gettext_noop("Enter Sign-In Code"),
    gettext_noop("Your sign-in code is listed below. Please enter it in your open browser window."),
    gettext_noop("Sign-In Code"),
    gettext_noop("Send me a sign-in code"),
    gettext_noop("Are you sure you want to sign out?"),
    gettext_noop("You have signed out."),
    gettext_noop("A sign-in code has been sent to %(recipient)s."),
    gettext_noop("Please contact us if you have any trouble resetting your password."),
    gettext_noop(
        "We have sent you an email. If you have not received it please check your spam folder. Otherwise contact us if you do not receive it in a few minutes."
    ),
    gettext_noop("Other sign-in options"),
    gettext_noop(
        "We have sent an email to you for verification. Follow the link provided to finalize the signup process. If you do not see the verification email in your main inbox, check your spam folder. Please contact us if you do not receive the verification email within a few minutes."
    ),
    gettext_noop(
        "We have sent an email to you for\nverification. Please click on the link inside that email. If you do not see the verification email in your main inbox, check your spam folder. Otherwise\ncontact us if you do not receive it within a few minutes."
    ),
    gettext_noop("Your account is protected by two-factor authentication. Please enter an authenticator code:"),
    gettext_noop(
        "If you choose to trust this browser, you will not be asked for a verification code the next time you sign in."
    ),
    gettext_noop(
        "Enabling passwordless operation allows you to sign in using just this key, but imposes additional requirements such as biometrics or PIN protection."
    ),
    gettext_noop("Third-Party Login Failure"),
    gettext_noop("An error occurred while attempting to login via your third-party account."),
    gettext_noop("You can sign in to your account using any of the following third-party accounts:"),
    gettext_noop("Sign In Via %(provider)s"),
    gettext_noop("Login Cancelled"),
    gettext_noop(
        'You decided to cancel logging in to our site using one of your existing accounts. If this was a mistake, please proceed to <a href="%(login_url)s">sign in</a>.'
    ),
    gettext_noop("Signed out of all other sessions."),
    # django.contrib.auth
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        1,
    ),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        1,
    ),
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("Your password can’t be entirely numeric."),
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    # django-celery-results
    gettext_noop("Celery Results"),
    gettext_noop("task result"),
    gettext_noop("task results"),
    gettext_noop("group result"),
    gettext_noop("group results"),
    gettext_noop("Parameters"),
    gettext_noop("Result"),
    gettext_noop("Task ID"),
    gettext_noop("Celery ID for the Task that was run"),
    gettext_noop("Periodic Task Name"),
    gettext_noop("Name of the Periodic Task which was run"),
    gettext_noop("Task Name"),
    gettext_noop("Name of the Task which was run"),
    gettext_noop("Task Positional Arguments"),
    gettext_noop("JSON representation of the positional arguments used with the task"),
    gettext_noop("Task Named Arguments"),
    gettext_noop("JSON representation of the named arguments used with the task"),
    gettext_noop("Task State"),
    gettext_noop("Current state of the task being run"),
    gettext_noop("Worker"),
    gettext_noop("Worker that executes the task"),
    gettext_noop("Result Content Type"),
    gettext_noop("Content type of the result data"),
    gettext_noop("Result Encoding"),
    gettext_noop("The encoding used to save the task result data"),
    gettext_noop("Result Data"),
    gettext_noop("The data returned by the task.  Use content_encoding and content_type fields to read."),
    gettext_noop("Created DateTime"),
    gettext_noop("Datetime field when the task result was created in UTC"),
    gettext_noop("Started DateTime"),
    gettext_noop("Datetime field when the task was started in UTC"),
    gettext_noop("Completed DateTime"),
    gettext_noop("Datetime field when the task was completed in UTC"),
    gettext_noop("Traceback"),
    gettext_noop("Text of the traceback if the task generated one"),
    gettext_noop("Task Meta Information"),
    gettext_noop("JSON meta information about the task, such as information on child tasks"),
    gettext_noop("Group ID"),
    gettext_noop("Celery ID for the Chord header group"),
    gettext_noop("JSON serialized list of task result tuples. use .group_result() to decode"),
    gettext_noop("Starts at len(chord header) and decrements after each task is finished"),
    gettext_noop("Celery ID for the Group that was run"),
    gettext_noop("Datetime field when the group result was created in UTC"),
    gettext_noop("Datetime field when the group was completed in UTC"),
)
