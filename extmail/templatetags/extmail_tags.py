from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def scope_url(context, name: str, **kwargs) -> str:
    """{% scope_url "change" pk=l.pk %}: a link within the screen's scope (self or a user)."""
    return context["scope"].url(name, **kwargs)
