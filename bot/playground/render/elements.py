"""Interactive elements and modal inputs: buttons, selects, overflow menus, pickers, text and number
inputs, checkboxes, radio buttons, images."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.playground.render.context import Obj, RenderContext
from bot.playground.render.mrkdwn import _text_plain, render_text
from bot.playground.render.safety import _attrs, _esc, _file_url, _http_only, _unsupported, safe_url


@dataclass(frozen=True)
class _Scope:
    ctx: RenderContext
    block_id: str


def _control_attrs(element: Obj, scope: _Scope) -> list[tuple[str, object | None]]:
    action_id = str(element.get("action_id") or "")
    return [
        ("name", f"{scope.block_id}/{action_id}"),
        ("data-element-type", str(element.get("type") or "")),
        ("data-block-id", scope.block_id),
        ("data-action-id", action_id),
        ("data-confirm", _confirm_json(element.get("confirm"), scope.ctx)),
        ("autofocus", bool(element.get("focus_on_load"))),
    ]


def _confirm_json(confirm: Obj | None, ctx: RenderContext) -> str | None:
    if not confirm:
        return None
    return json.dumps(
        {
            "title": _text_plain(confirm.get("title"), ctx) or "Are you sure?",
            "text": _text_plain(confirm.get("text"), ctx),
            "confirm": _text_plain(confirm.get("confirm"), ctx) or "Yes",
            "deny": _text_plain(confirm.get("deny"), ctx) or "Cancel",
            "style": confirm.get("style") if confirm.get("style") in ("primary", "danger") else None,
        },
        ensure_ascii=False,
        sort_keys=True,
    )


def _button(element: Obj, scope: _Scope) -> str:
    style = element.get("style")
    cls = "bk-button" + (f" bk-button--{style}" if style in ("primary", "danger") else "")
    attrs = _attrs([
        *_control_attrs(element, scope),
        ("data-value", element.get("value")),
        ("aria-label", element.get("accessibility_label")),
    ])  # fmt: skip
    label = render_text(element.get("text"), scope.ctx)
    url = safe_url(element.get("url"))
    if url is not None:
        return (f'<a class="{cls}" href="{_esc(url)}" target="_blank" rel="noopener noreferrer"{attrs}>'
                f"{label}</a>")  # fmt: skip
    return f'<button type="button" class="{cls}"{attrs}>{label}</button>'


def _option_label(option: Obj, ctx: RenderContext) -> str:
    return _text_plain(option.get("text"), ctx)


def _option_tag(option: Obj, selected: set[str], ctx: RenderContext) -> str:
    value = str(option.get("value") or "")
    attrs = _attrs([("value", value), ("selected", value in selected)])
    return f"<option{attrs}>{_esc(_option_label(option, ctx))}</option>"


def _initial_values(element: Obj) -> set[str]:
    values: set[str] = set()
    if isinstance(element.get("initial_option"), Mapping):
        values.add(str(element["initial_option"].get("value") or ""))
    values |= {str(o.get("value") or "") for o in element.get("initial_options") or [] if isinstance(o, Mapping)}
    for key in ("initial_user", "initial_conversation", "initial_channel"):
        if element.get(key):
            values.add(str(element[key]))
    for key in ("initial_users", "initial_conversations", "initial_channels"):
        values |= {str(v) for v in element.get(key) or []}
    return values


def _static_options(element: Obj, selected: set[str], ctx: RenderContext) -> str:
    groups = element.get("option_groups")
    if groups:
        return "".join(
            f"<optgroup{_attrs([('label', _text_plain(group.get('label'), ctx))])}>"
            + "".join(_option_tag(o, selected, ctx) for o in group.get("options") or [])
            + "</optgroup>"
            for group in groups
        )
    options = list(element.get("options") or [])
    if not options:  # external_select: only what is already chosen is known
        options = [o for o in [element.get("initial_option"), *(element.get("initial_options") or [])] if o]
    return "".join(_option_tag(o, selected, ctx) for o in options)


def _named_options(names: Mapping[str, str], prefix: str, selected: set[str]) -> str:
    known = dict(names)
    for value in selected:  # an id chosen before it is known still shows (as the id)
        known.setdefault(value, value)
    ordered = sorted(known.items(), key=lambda item: (item[1].casefold(), item[0]))
    return "".join(
        f"<option{_attrs([('value', key), ('selected', key in selected)])}>{_esc(prefix + name)}</option>"
        for key, name in ordered
    )


def _options_for(element: Obj, selected: set[str], ctx: RenderContext) -> str:
    kind = str(element.get("type") or "")
    if kind in ("users_select", "multi_users_select"):
        return _named_options(ctx.users, "", selected)
    if kind in ("conversations_select", "multi_conversations_select", "channels_select", "multi_channels_select"):
        return _named_options(ctx.channels, "#", selected)
    return _static_options(element, selected, ctx)


def _select(element: Obj, scope: _Scope) -> str:
    multi = str(element.get("type") or "").startswith("multi_")
    selected = _initial_values(element)
    default = "Select options" if multi else "Select an item"
    placeholder = _text_plain(element.get("placeholder"), scope.ctx) or default
    attrs = _attrs([
        *_control_attrs(element, scope),
        ("multiple", multi),
        ("data-max-selected-items", element.get("max_selected_items")),
        ("aria-label", placeholder),
    ])  # fmt: skip
    empty = "" if multi else f'<option value=""{" selected" if not selected else ""}>{_esc(placeholder)}</option>'
    return f'<select class="bk-select"{attrs}>{empty}{_options_for(element, selected, scope.ctx)}</select>'


def _overflow(element: Obj, scope: _Scope) -> str:
    attrs = _attrs([*_control_attrs(element, scope), ("aria-label", "More actions")])
    options = "".join(
        f"<option{_attrs([('value', o.get('value') or ''), ('data-url', safe_url(o.get('url')))])}>"
        f"{_esc(_option_label(o, scope.ctx))}</option>"
        for o in element.get("options") or []
    )
    return f'<select class="bk-overflow"{attrs}><option value="" selected>\u22ef</option>{options}</select>'


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_HH_MM = re.compile(r"\d{2}:\d{2}")


def _datepicker(element: Obj, scope: _Scope) -> str:
    initial = str(element.get("initial_date") or "")
    attrs = _attrs([
        *_control_attrs(element, scope),
        ("value", initial if _ISO_DATE.fullmatch(initial) else None),
        ("placeholder", _text_plain(element.get("placeholder"), scope.ctx) or None),
    ])  # fmt: skip
    return f'<input type="date" class="bk-datepicker"{attrs}>'


def _timepicker(element: Obj, scope: _Scope) -> str:
    initial = str(element.get("initial_time") or "")
    attrs = _attrs([
        *_control_attrs(element, scope),
        ("value", initial if _HH_MM.fullmatch(initial) else None),
        ("data-timezone", element.get("timezone")),
    ])  # fmt: skip
    return f'<input type="time" class="bk-timepicker"{attrs}>'


def _datetimepicker(element: Obj, scope: _Scope) -> str:
    initial = element.get("initial_date_time")
    value = None
    if isinstance(initial, int):
        value = datetime.fromtimestamp(initial, UTC).astimezone(scope.ctx.tz).strftime("%Y-%m-%dT%H:%M")
    attrs = _attrs([*_control_attrs(element, scope), ("value", value)])
    return f'<input type="datetime-local" class="bk-datetimepicker"{attrs}>'


def _text_input(element: Obj, scope: _Scope) -> str:
    kind = str(element.get("type") or "")
    placeholder = _text_plain(element.get("placeholder"), scope.ctx) or None
    initial = str(element.get("initial_value") or "")
    common = [
        *_control_attrs(element, scope),
        ("placeholder", placeholder),
        ("maxlength", element.get("max_length")),
        ("minlength", element.get("min_length")),
    ]
    if kind == "plain_text_input" and element.get("multiline"):
        return f'<textarea class="bk-textarea" rows="4"{_attrs(common)}>{_esc(initial)}</textarea>'
    html_type = {"email_text_input": "email", "url_text_input": "url"}.get(kind, "text")
    attrs = _attrs([*common, ("value", initial or None)])
    return f'<input type="{html_type}" class="bk-text-input"{attrs}>'


def _number_input(element: Obj, scope: _Scope) -> str:
    decimal = bool(element.get("is_decimal_allowed"))
    attrs = _attrs([
        *_control_attrs(element, scope),
        ("step", "any" if decimal else "1"),
        ("min", element.get("min_value")),
        ("max", element.get("max_value")),
        ("value", element.get("initial_value")),
        ("placeholder", _text_plain(element.get("placeholder"), scope.ctx) or None),
        ("inputmode", "decimal" if decimal else "numeric"),
    ])  # fmt: skip
    return f'<input type="number" class="bk-number-input"{attrs}>'


def _choices(element: Obj, scope: _Scope, html_type: str) -> str:
    selected = _initial_values(element)
    action_id = str(element.get("action_id") or "")
    name = f"{scope.block_id}/{action_id}"
    items: list[str] = []
    for option in element.get("options") or []:
        value = str(option.get("value") or "")
        description = render_text(option.get("description"), scope.ctx)
        attrs = _attrs([("type", html_type), ("name", name), ("value", value), ("checked", value in selected)])
        items.append(
            f'<label class="bk-choice"><input{attrs}><span class="bk-choice-text">'
            f"{render_text(option.get('text'), scope.ctx)}"
            + (f'<span class="bk-choice-description">{description}</span>' if description else "")
            + "</span></label>"
        )
    group = _attrs([
        ("class", f"bk-{html_type}-group"),
        ("role", "radiogroup" if html_type == "radio" else "group"),
        *[(k, v) for k, v in _control_attrs(element, scope) if k != "name"],
        ("data-name", name),
    ])  # fmt: skip
    return f"<div{group}>{''.join(items)}</div>"


def _checkboxes(element: Obj, scope: _Scope) -> str:
    return _choices(element, scope, "checkbox")


def _radio_buttons(element: Obj, scope: _Scope) -> str:
    return _choices(element, scope, "radio")


def _image_src(image: Obj, ctx: RenderContext) -> str | None:
    slack_file = image.get("slack_file")
    if isinstance(slack_file, Mapping):
        return _file_url(slack_file.get("id"), ctx) or _http_only(slack_file.get("url"))
    return _http_only(image.get("image_url"))


def _img(image: Obj, ctx: RenderContext, cls: str) -> str:
    alt = str(image.get("alt_text") or "")
    src = _image_src(image, ctx)
    if src is None:
        return f'<span class="bk-image-alt {cls}-alt">{_esc(alt or "[image]")}</span>'
    return f"<img{_attrs([('class', cls), ('src', src), ('alt', alt), ('loading', 'lazy')])}>"


def _image_element(element: Obj, scope: _Scope) -> str:
    return _img(element, scope.ctx, "bk-image-element")


_ELEMENTS: Mapping[str, Callable[[Obj, _Scope], str]] = {
    "button": _button,
    "static_select": _select,
    "multi_static_select": _select,
    "external_select": _select,
    "multi_external_select": _select,
    "users_select": _select,
    "multi_users_select": _select,
    "conversations_select": _select,
    "multi_conversations_select": _select,
    "channels_select": _select,
    "multi_channels_select": _select,
    "overflow": _overflow,
    "datepicker": _datepicker,
    "timepicker": _timepicker,
    "datetimepicker": _datetimepicker,
    "plain_text_input": _text_input,
    "email_text_input": _text_input,
    "url_text_input": _text_input,
    "number_input": _number_input,
    "checkboxes": _checkboxes,
    "radio_buttons": _radio_buttons,
    "image": _image_element,
}


def _element(element: Obj, scope: _Scope) -> str:
    kind = str(element.get("type") or "")
    renderer = _ELEMENTS.get(kind)
    return renderer(element, scope) if renderer else _unsupported("element", kind or "?")
