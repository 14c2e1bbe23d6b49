"""Numbers and dates from forms are values the database holds, or a field error."""

import inspect
from datetime import date

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms import fields as wtf
from wtforms.validators import NumberRange

from community import forms
from community.forms import BaseForm, DateField, DecimalField, IntegerField

# The WTForms fields whose parsing community.forms bounds (a time of day needs no bound).
UNBOUNDED = (wtf.IntegerField, wtf.DecimalField, wtf.FloatField, wtf.DateField, wtf.DateTimeField)


def every_form_class() -> list[type]:
    import community.models  # noqa: F401  (imports every feature)
    from community import create_app  # noqa: F401

    def walk(cls: type) -> list[type]:
        return [cls, *(c for sub in cls.__subclasses__() for c in walk(sub))]

    return walk(BaseForm)


def fields_of(form_class: type) -> list[tuple[str, type, tuple, dict]]:
    """(name, field class, args, kwargs) of every field, sub-forms of FieldList included."""
    found = []
    for name, unbound in inspect.getmembers(form_class, lambda m: hasattr(m, "field_class")):
        cls, args, kwargs = unbound.field_class, unbound.args, unbound.kwargs
        if issubclass(cls, wtf.FieldList):
            inner = args[0] if args else kwargs["unbound_field"]
            if issubclass(inner.field_class, wtf.FormField):
                found += fields_of(inner.args[0])
            continue
        found.append((f"{form_class.__name__}.{name}", cls, args, kwargs))
    return found


def test_the_walk_finds_the_forms_of_every_feature(app):
    names = {cls.__name__ for cls in every_form_class()}
    assert {"RunForm", "ScheduleForm", "ChallengeForm", "InviteForm", "CapacityForm"} <= names


def test_every_number_and_date_field_is_one_the_app_bounds(app):
    unbounded = [
        name
        for form_class in every_form_class()
        for name, cls, _, _ in fields_of(form_class)
        if issubclass(cls, UNBOUNDED)
        and not issubclass(cls, wtf.TimeField)
        and cls.__module__ != forms.__name__
    ]
    assert unbounded == []


def test_every_number_field_says_its_sensible_range(app):
    open_ended = [
        name
        for form_class in every_form_class()
        for name, cls, args, kwargs in fields_of(form_class)
        if issubclass(cls, wtf.IntegerField | wtf.DecimalField)
        and not any(
            isinstance(v, NumberRange) and v.min is not None and v.max is not None
            for v in kwargs.get("validators", args[1] if len(args) > 1 else [])
        )
    ]
    assert open_ended == []


class Numbers(Form):  # not a BaseForm: the walk above skips it
    count = IntegerField()
    distance = DecimalField(places=2)
    day = DateField()


@pytest.mark.parametrize("value", [str(2**31), str(-(2**31)), str(2**70), "9" * 5000])
def test_a_whole_number_past_an_integer_column_is_a_field_error(app, value):
    with app.test_request_context():
        form = Numbers(MultiDict({"count": value}))
        assert not form.validate()
        assert form.count.data is None
        assert form.count.errors


@pytest.mark.parametrize("value", ["NaN", "sNaN", "-Infinity", "Infinity", "1e999999"])
def test_a_decimal_that_is_not_a_finite_number_is_a_field_error(app, value):
    with app.test_request_context():
        form = Numbers(MultiDict({"distance": value}))
        assert not form.validate()
        assert form.distance.errors == ["Enter a number."]
        assert value in form.distance._value()  # shown back as typed


@pytest.mark.parametrize("value", ["0001-01-01", "1899-12-31", "2200-01-01", "9999-12-31"])
def test_a_date_no_run_falls_on_is_a_field_error(app, value):
    with app.test_request_context():
        form = Numbers(MultiDict({"day": value}))
        assert not form.validate()
        assert form.day.errors == ["Enter a date between 1900 and 2199."]


def test_sensible_numbers_and_dates_pass(app):
    with app.test_request_context():
        form = Numbers(
            MultiDict({"count": "2147483647", "distance": "42.195", "day": "2026-12-07"}),
        )
        assert form.validate(), form.errors
        assert (form.count.data, form.day.data) == (2**31 - 1, date(2026, 12, 7))


def test_a_decimal_left_out_of_a_post_keeps_the_objects_value(app):
    # A group run's latitude (a float from the database), edited by a post without it.
    with app.test_request_context():
        form = Numbers(MultiDict({"count": "1"}), obj=type("Stored", (), {"distance": 51.4794}))
        assert form.distance.data == 51.4794
        assert not form.distance.errors
