"""Survey instruments kept as data: the TOML format, its validation and loading.

Exceptions::

    Exception
    └── InstrumentError   one or more Problems (file, field path, message, line)
"""

from climate.instruments.loading import (
    SHIPPED_DIRECTORY,
    InstrumentError,
    check_files,
    instrument_files,
    load_directory,
    load_instrument,
    parse_instrument,
)
from climate.instruments.model import (
    Demographic,
    DemographicOption,
    Instrument,
    Item,
    Licence,
    LoadedInstrument,
    Option,
    Problem,
    ResponseSet,
    Scale,
    Section,
    SkipRule,
    item_range,
    scale_range,
)
from climate.instruments.validation import (
    MAX_DEMOGRAPHICS,
    MAX_ITEMS,
    MAX_OPTION_VALUE,
    MAX_SCALES,
    REQUIRED_DEMOGRAPHICS,
)

__all__ = [
    "MAX_DEMOGRAPHICS",
    "MAX_ITEMS",
    "MAX_OPTION_VALUE",
    "MAX_SCALES",
    "REQUIRED_DEMOGRAPHICS",
    "SHIPPED_DIRECTORY",
    "Demographic",
    "DemographicOption",
    "Instrument",
    "InstrumentError",
    "Item",
    "Licence",
    "LoadedInstrument",
    "Option",
    "Problem",
    "ResponseSet",
    "Scale",
    "Section",
    "SkipRule",
    "check_files",
    "instrument_files",
    "item_range",
    "load_directory",
    "load_instrument",
    "parse_instrument",
    "scale_range",
]
