"""Indicators as data: the figures of plans' 主要指标 tables and of work reports' stated
targets, as typed records that can be compared across places and periods.

It reads parsed documents (indexer.parse) and catalog metadata (indexer.documents), never
an index; a build writes its records beside the passages (indexer.indicators.store).
"""
