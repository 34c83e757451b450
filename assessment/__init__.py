"""The needs domain of Bedarfsatlas Berlin: residents' needs and the assessment per area.

Plain Python: nothing here imports streamlit.
"""
