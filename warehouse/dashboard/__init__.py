"""The warehouse's dashboard: a Streamlit app over the metrics of the semantic layer
(MetricFlow, in-process) and a few marts, reading the copy of the warehouse that each run
publishes (``published/``)."""
