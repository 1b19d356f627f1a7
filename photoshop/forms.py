"""The site's form renderer: Django's own form and widget templates in their Jinja2 versions.

Rendering a field with Django's template language costs a template render per
widget, label and error list, which made up half of a form page's time
(``bench/pages.py``). Django ships the same templates for Jinja2
(``django/forms/jinja2``), which renders them several times faster and to the
same HTML. Every other template a form names (the admin's widgets, allauth's,
a project's own) is still looked up in the Django template engines, so an
override keeps working.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates, Jinja2
from django.utils.functional import cached_property

BUILT_IN_PREFIX = "django/forms/"


class FormRenderer(DjangoTemplates):
    """Render Django's built-in form templates with Jinja2, any other template as Django's renderer does."""

    @cached_property
    def _jinja2(self) -> Jinja2:
        return Jinja2()

    def get_template(self, template_name: str):
        if template_name.startswith(BUILT_IN_PREFIX):
            return self._jinja2.get_template(template_name)
        return super().get_template(template_name)
