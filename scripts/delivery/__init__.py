"""Delivery of customer group events to the tools that act on them.

    config.py     destinations.yml -> typed, checked Destination objects
    warehouse.py  the events and the delivery state tables (DuckDB today)
    payload.py    event rows -> JSON payloads, signatures, batch ids
    senders.py    webhook (httpx + tenacity) and JSONL file senders
    runner.py     cursor -> batches -> sender -> cursor, per destination

The command is ``python -m scripts.deliver_events``; docs/event_delivery.md
describes the guarantees and the state tables.
"""
