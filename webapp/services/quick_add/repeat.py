"""Repeats: "every …" (and "every! …", counted from completion) and trailing adverbs.

    every [N | other | 2nd] day|week|month|year [on <days>]   every 3 days, every other week,
                                                                every 2 weeks on mon, fri
    every weekday | every weekend                              Mon–Fri | Saturdays
    every other <weekdays>                                     every other tuesday
    every <ordinal> <weekday> | weekday [of the month]         every 3rd thursday, every last friday
    every last day [of the month]                              the month's last day
    every <1st..31st> [of the month]                           every 30th (clamped to short months)
    every jan 27 | every 27th of january                       yearly
    every <weekdays>                                           every mon, fri / monday and thursday
    … until <date> | for N days|weeks|months|years             the end of the series
    daily | weekly | monthly | yearly                          only at the end of the text

A time of day is a separate token next to the repeat ("every monday 9am").
"""

from dataclasses import replace
from datetime import date

from dateutil.relativedelta import relativedelta

from webapp.services.quick_add import vocab
from webapp.services.quick_add.model import (
    REPEAT,
    Candidate,
    Context,
    Repeat,
    RepeatEnd,
    RepeatSpec,
)
from webapp.services.quick_add.when import amount, date_at, month_day_at

Parts = dict[str, tuple[int, ...]]
Body = tuple[int, RepeatSpec]
_WORKDAYS = ("MO", "TU", "WE", "TH", "FR")
_OF_THE_MONTH = (("of", "the", "month"), ("of", "every", "month"), ("of", "month"))


def repeat_at(ctx: Context, i: int) -> Candidate | None:
    word = ctx.word(i)
    if word is None or word.tag:
        return None
    if word.core in vocab.ADVERBS:
        spec = RepeatSpec(vocab.ADVERBS[word.core])
        return Candidate(i, i + 1, REPEAT, Repeat(spec), frozenset("R"), tail_only=True)
    if word.core != "every":
        return None
    body = _body(ctx, i + 1)
    if body is None:
        return None
    end, spec = body
    if word.low.startswith("every!"):
        spec = replace(spec, from_completion=True)
    if ending := end_at(ctx, end):
        return Candidate(i, ending[0], REPEAT, Repeat(spec, ending[1]), frozenset("RE"))
    return Candidate(i, end, REPEAT, Repeat(spec), frozenset("R"))


def end_at(ctx: Context, i: int) -> tuple[int, RepeatEnd] | None:
    """ "until 1 mar", "till friday", "for 3 weeks"."""
    word = ctx.core(i)
    if word in ("until", "till", "til") and (found := date_at(ctx, i + 1)):
        if isinstance(found.value, date):
            return found.end, RepeatEnd(until=found.value)
    if word == "for":
        count, unit = amount(ctx, i + 1)
        if unit in vocab.DATE_UNITS:
            return i + 3, RepeatEnd(length=relativedelta(**{unit: count}))
    return None


def month_end(day: int) -> Parts:
    """Day `day` of each month, or its last day when the month is shorter: "every 30th"
    is 28 Feb (29 in a leap year), never 2 March."""
    if day == 31:
        return {"bymonthday": (-1,)}
    if day > 28:
        return {"bymonthday": tuple(range(28, day + 1)), "bysetpos": (-1,)}
    return {"bymonthday": (day,)}


def _body(ctx: Context, i: int) -> Body | None:
    for rule in (
        _units,
        _work_or_weekend,
        _other_weekdays,
        _nth_weekday,
        _last_day,
        _yearly,
        _month_day,
        _weekdays,
    ):
        if found := rule(ctx, i):
            return found
    return None


def _units(ctx: Context, i: int) -> Body | None:
    """[N | other | 2nd] day|week|month|year, then maybe "on <days>"."""
    interval, unit_at = _interval(ctx.core(i)), i + 1
    if interval is None:
        interval, unit_at = 1, i
    unit = vocab.UNITS.get(ctx.core(unit_at))
    if unit not in vocab.DATE_UNITS:
        return None
    end, spec = unit_at + 1, RepeatSpec(vocab.FREQ_OF_UNIT[unit], interval)
    if ctx.core(end) == "on" and (days := _days_for(ctx, end + 1, spec.freq)):
        end, spec = days[0], replace(days[1], interval=interval)
    return end, spec


def _interval(word: str) -> int | None:
    if word == "other":
        return 2
    if vocab.NUMBER.fullmatch(word):
        return int(word)
    if ordinal := vocab.ORDINAL.fullmatch(word):
        return int(ordinal[1])
    found = vocab.ORDINAL_WORDS.get(word)
    return found if found and found > 0 else None


def _days_for(ctx: Context, i: int, freq: str) -> Body | None:
    """What may follow "on": weekdays for a week, "the 15th" or "the last friday" for a
    month, "jan 27" for a year."""
    rules = {
        "WEEKLY": (_work_or_weekend, _weekdays),
        "MONTHLY": (_nth_weekday, _last_day, _month_day),
        "YEARLY": (_yearly,),
    }.get(freq, ())
    if freq == "MONTHLY" and ctx.core(i) == "the":
        i += 1
    for rule in rules:
        if found := rule(ctx, i):
            return found
    return None


def _work_or_weekend(ctx: Context, i: int) -> Body | None:
    # "every weekend" is once a weekend, on its Saturday, as "this weekend" is.
    word = ctx.core(i)
    if word in ("weekday", "weekdays", "workday", "workdays"):
        return i + 1, RepeatSpec("WEEKLY", byday=_WORKDAYS)
    if word in ("weekend", "weekends"):
        return i + 1, RepeatSpec("WEEKLY", byday=("SA",))
    return None


def _other_weekdays(ctx: Context, i: int) -> Body | None:
    if ctx.core(i) != "other" or (found := _weekdays(ctx, i + 1)) is None:
        return None
    return found[0], RepeatSpec("WEEKLY", 2, byday=found[1].byday)


def _nth_weekday(ctx: Context, i: int) -> Body | None:
    """ "3rd thursday", "last friday", "first weekday" of each month."""
    word = ctx.core(i)
    ordinal = vocab.ORDINAL_WORDS.get(word)
    if ordinal is None and (numbered := vocab.ORDINAL.fullmatch(word)):
        ordinal = int(numbered[1])
    if ordinal is None or ordinal > 5:
        return None
    what = ctx.core(i + 1)
    if what in ("weekday", "workday"):
        spec = RepeatSpec("MONTHLY", byday=_WORKDAYS, bysetpos=(ordinal,))
    elif what in vocab.WEEKDAYS:
        spec = RepeatSpec("MONTHLY", byday=(f"{ordinal}{vocab.RRULE_DAYS[vocab.WEEKDAYS[what]]}",))
    else:
        return None
    return _of_the_month(ctx, i + 2), spec


def _last_day(ctx: Context, i: int) -> Body | None:
    if ctx.core(i) == "last" and ctx.core(i + 1) == "day":
        return _of_the_month(ctx, i + 2), RepeatSpec("MONTHLY", bymonthday=(-1,))
    return None


def _month_day(ctx: Context, i: int) -> Body | None:
    """ "1st", "30th" (a day of each month; "every 30" is no repeat)."""
    found = vocab.ORDINAL.fullmatch(ctx.core(i))
    if found is None:
        return None
    return _of_the_month(ctx, i + 1), RepeatSpec("MONTHLY", **month_end(int(found[1])))


def _yearly(ctx: Context, i: int) -> Body | None:
    found = month_day_at(ctx, i)
    if found is None:
        return None
    end, month, day = found
    if (month, day) == (2, 29):  # 28 Feb when there is no 29th
        return end, RepeatSpec("YEARLY", bymonth=(2,), bymonthday=(28, 29), bysetpos=(-1,))
    return end, RepeatSpec("YEARLY", bymonth=(month,), bymonthday=(day,))


def _weekdays(ctx: Context, i: int) -> Body | None:
    """ "monday", "mon, fri", "monday and thursday", "tue & thu", "mon,wed,fri"."""
    days: set[int] = set()
    while (found := _weekdays_in(ctx, i)) is not None:
        days.update(found)
        listed = ctx.words[i].comma
        i += 1
        if ctx.core(i) in ("and", "&", "+") and _weekdays_in(ctx, i + 1) is not None:
            i += 1
        elif not listed:
            break
    if not days:
        return None
    return i, RepeatSpec("WEEKLY", byday=tuple(vocab.RRULE_DAYS[day] for day in sorted(days)))


def _weekdays_in(ctx: Context, i: int) -> list[int] | None:
    names = ctx.core(i).split(",")
    if not all(name in vocab.REPEAT_WEEKDAYS for name in names):
        return None
    return [vocab.REPEAT_WEEKDAYS[name] for name in names]


def _of_the_month(ctx: Context, i: int) -> int:
    for words in _OF_THE_MONTH:
        if all(ctx.core(i + n) == word for n, word in enumerate(words)):
            return i + len(words)
    return i
