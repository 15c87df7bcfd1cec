"""What the synthetic trade flow is made of: goods, countries, UK ports, carriers and name parts.

Pure data for ``clearway.services.simulation``. Each product is a real HS 2022 subheading
extended to ten digits, with a price range (USD per kg) and typical masses close enough to
trade statistics that undervaluation stands out; origins are the usual suppliers of the UK
market, most usual first. Nothing here is random: the generator draws from these tables.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Product:
    """A kind of goods as traded: how it is classified, priced, packed and carried."""

    commodity_code: str
    description: str
    sector: str
    usd_per_kg: tuple[float, float]
    # Net mass of one goods item is drawn log-normally around this median.
    median_net_kg: float
    # Usual countries of origin of UK imports, most usual first; empty when not imported.
    origins: tuple[str, ...]
    # Transport modes, most usual first.
    modes: tuple[str, ...]
    package: str
    kg_per_package: float
    unit: str | None = None
    kg_per_unit: float = 1.0
    exported: bool = False
    # Dual-use entry (Reg. 2021/821 Annex I) that a share of this product's exports carry.
    control: str | None = None
    # Certificates every import carries (N851 phytosanitary, N853 CHED for products of animals).
    import_documents: tuple[str, ...] = ()


def _goods(
    code: str, description: str, sector: str, usd_per_kg: tuple[float, float],
    median_net_kg: float, origins: str, modes: str, package: str, kg_per_package: float,
    *, unit: str | None = None, kg_per_unit: float = 1.0, exported: bool = False,
    control: str | None = None, documents: str = "",
) -> Product:
    return Product(
        code, description, sector, usd_per_kg, median_net_kg, tuple(origins.split()),
        tuple(modes.split()), package, kg_per_package, unit, kg_per_unit, exported, control,
        tuple(documents.split()),
    )


PRODUCTS: tuple[Product, ...] = (
    # Fresh produce (chapters 07-08)
    _goods("0702000007", "Fresh cherry tomatoes on the vine, in 5 kg cartons", "produce",
           (1.2, 2.4), 14000, "MA ES NL TR", "road sea", "CT", 5, documents="N851"),
    _goods("0803901000", "Fresh green Cavendish bananas, in 18 kg cartons", "produce",
           (0.7, 1.1), 20000, "CO EC CR DO", "sea", "CT", 18, documents="N851"),
    _goods("0805102200", "Fresh navel oranges, class I, in 15 kg cartons", "produce",
           (0.6, 1.2), 20000, "ZA EG ES MA", "sea road", "CT", 15, documents="N851"),
    _goods("0806101090", "Fresh seedless red table grapes, in 4.5 kg cartons", "produce",
           (1.8, 3.5), 12000, "ZA CL IN PE EG", "sea air", "CT", 4.5, documents="N851"),
    _goods("0804400010", "Fresh Hass avocados, in 4 kg single-layer cartons", "produce",
           (2.0, 3.5), 16000, "PE KE MX ZA CO", "sea", "CT", 4, documents="N851"),
    _goods("0808108090", "Fresh Gala apples, class I, in 18 kg cartons", "produce",
           (0.9, 1.6), 18000, "ZA NZ CL FR IT", "sea road", "CT", 18, documents="N851"),
    # Food (chapters 02-04, 09-11, 15-20)
    _goods("0901110000", "Green arabica coffee beans, washed, not roasted, in 60 kg jute bags",
           "food", (4.5, 8.5), 19000, "BR CO ET PE KE", "sea", "BG", 60),
    _goods("0902400010", "Black CTC tea, Kenyan grade PF1, in 60 kg paper sacks", "food",
           (2.2, 4.5), 15000, "KE IN LK", "sea", "SA", 60),
    _goods("0306171500", "Frozen peeled and deveined vannamei shrimp, 26/30 count", "food",
           (6.5, 12.0), 12000, "VN IN EC TH ID", "sea", "CT", 10, documents="N853"),
    _goods("1604142800", "Skipjack tuna chunks in brine, 160 g cans, 48 per carton", "food",
           (3.5, 6.0), 16000, "TH EC PH VN", "sea", "CT", 9),
    _goods("1006309800", "Milled long-grain basmati rice, in 25 kg woven bags", "food",
           (0.8, 1.6), 22000, "IN PK TH", "sea", "BG", 25),
    _goods("1509200000", "Extra virgin olive oil in 750 ml glass bottles, 12 per carton", "food",
           (6.0, 10.0), 9000, "ES IT GR TR", "sea road", "CT", 12),
    _goods("1701999000", "Refined white cane sugar, ICUMSA 45, in 50 kg bags", "food",
           (0.5, 0.8), 25000, "BR IN TH", "sea", "BG", 50),
    _goods("1806321000", "Milk chocolate bars, 100 g, not filled, 24 per carton", "food",
           (7.0, 14.0), 8000, "BE CH DE FR", "road sea", "CT", 6, exported=True),
    _goods("1905319900", "Sweet milk-chocolate-coated digestive biscuits, 300 g packets",
           "food", (3.0, 6.0), 6000, "FR DE PL TR", "road sea", "CT", 5, exported=True),
    _goods("2009119900", "Frozen concentrated orange juice, 65 degrees Brix, in 270 kg drums",
           "food", (1.5, 3.0), 18000, "BR MX ZA", "sea", "DR", 270),
    _goods("0201309000", "Chilled boneless beef striploins, vacuum-packed", "food",
           (9.0, 16.0), 12000, "IE AU NZ BR UY", "road sea", "CT", 20, documents="N853"),
    _goods("1602321990", "Frozen cooked chicken breast pieces, in 10 kg cartons", "food",
           (3.5, 6.0), 15000, "TH BR PL NL", "sea road", "CT", 10, documents="N853"),
    _goods("0406902100", "Mature Cheddar cheese in 20 kg vacuum-packed blocks", "food",
           (6.0, 10.0), 10000, "IE NZ", "road sea", "CT", 20, exported=True, documents="N853"),
    _goods("0302141000", "Fresh whole gutted farmed Atlantic salmon, on ice", "food",
           (8.0, 12.0), 6000, "NO", "road air", "BX", 22, exported=True, documents="N853"),
    # Drinks (chapter 22)
    _goods("2204214200", "Still red wine in 750 ml glass bottles, 6 per carton", "drinks",
           (2.5, 12.0), 9000, "FR IT ES CL AU ZA NZ AR US", "sea road", "CT", 8,
           unit="LTR", kg_per_unit=1.3),
    _goods("2204109800", "Sparkling white wine in 750 ml bottles, 6 per carton", "drinks",
           (5.0, 25.0), 6000, "FR IT ES", "road sea", "CT", 9, unit="LTR", kg_per_unit=1.6),
    _goods("2208301100", "Blended Scotch whisky, 40% vol, in 70 cl bottles, 6 per carton",
           "drinks", (8.0, 30.0), 9000, "", "sea road air", "CT", 8,
           unit="LTR", kg_per_unit=1.4, exported=True),
    _goods("2208501100", "London dry gin, 37.5% vol, in 70 cl bottles, 6 per carton", "drinks",
           (6.0, 15.0), 6000, "", "road sea", "CT", 8, unit="LTR", kg_per_unit=1.4,
           exported=True),
    _goods("2203000100", "Pale ale, 4.5% vol, in 440 ml cans, 24 per case", "drinks",
           (1.0, 2.0), 18000, "BE NL DE CZ MX", "road sea", "CT", 11, unit="LTR",
           kg_per_unit=1.1, exported=True),
    # Bulk commodities (chapters 10, 12, 15, 31, 74)
    _goods("1201900000", "Yellow soya beans for crushing, non-GM, in bulk", "commodities",
           (0.4, 0.6), 60000, "BR US CA", "sea", "VR", 1),
    _goods("1507109000", "Crude degummed soya-bean oil, in flexitanks", "commodities",
           (0.9, 1.3), 20000, "BR US AR", "sea", "VL", 1),
    _goods("3102101000", "Granular urea fertiliser, 46% nitrogen, in bulk", "commodities",
           (0.3, 0.5), 120000, "EG SA NL", "sea", "VR", 1),
    _goods("7403110000", "Refined copper cathodes, grade A, 99.99% Cu", "commodities",
           (8.5, 10.5), 25000, "CL PE ZM", "sea", "BE", 2500),
    _goods("1001990000", "Milling wheat, not durum, in bulk", "commodities",
           (0.22, 0.3), 400000, "", "sea", "VR", 1, exported=True),
    # Chemicals and plastics (chapters 27, 29, 39)
    _goods("2905110000", "Methanol (methyl alcohol), purity 99.85%, in bulk", "chemicals",
           (0.3, 0.5), 300000, "SA US NO", "sea", "VL", 1),
    _goods("3901101000", "Low-density polyethylene (LDPE) film-grade granules, 25 kg bags",
           "chemicals", (1.1, 1.7), 22000, "SA KR US BE", "sea", "BG", 25),
    _goods("3923210000", "Printed polyethylene carrier bags, 20 micron, 1,000 per carton",
           "chemicals", (2.5, 4.0), 8000, "CN VN MY TR", "sea", "CT", 15),
    _goods("2710198100", "Synthetic engine lubricating oil 5W-30, in 208 litre drums",
           "chemicals", (1.8, 3.5), 15000, "US DE NL BE", "sea road", "DR", 180),
    # Health (chapters 30, 33, 90)
    _goods("3004900000", "Atorvastatin 20 mg film-coated tablets in blister packs, retail",
           "health", (40.0, 250.0), 1500, "IN DE CH IE US", "air sea", "CT", 8, exported=True),
    _goods("3002410000", "Influenza vaccine in pre-filled syringes, shipped at 2-8 C",
           "health", (500.0, 3000.0), 400, "BE US DE IN", "air", "BX", 6, exported=True),
    _goods("3304990000", "Moisturising face cream in 50 ml jars, for retail sale", "health",
           (15.0, 45.0), 3000, "FR KR US DE IT", "sea road air", "CT", 6),
    _goods("3303001000", "Eau de parfum in 100 ml glass spray bottles, boxed", "health",
           (40.0, 150.0), 1500, "FR IT ES AE US", "air road", "CT", 5),
    _goods("9018190000", "Portable 12-lead electrocardiographs", "health",
           (80.0, 300.0), 400, "DE US CN JP", "air sea", "CS", 15, unit="NAR", kg_per_unit=6),
    # Apparel, footwear and leather (chapters 42, 61-62, 64, 90)
    _goods("6109100010", "Men's crew-neck T-shirts of knitted 100% cotton jersey", "apparel",
           (8.0, 18.0), 5000, "BD TR CN IN PK KH", "sea air", "CT", 12, unit="NAR",
           kg_per_unit=0.2),
    _goods("6203423100", "Men's five-pocket denim jeans, 100% cotton, not knitted", "apparel",
           (9.0, 20.0), 6000, "BD PK TR CN", "sea", "CT", 15, unit="NAR", kg_per_unit=0.6),
    _goods("6110209900", "Women's long-sleeved knitted cotton cardigans", "apparel",
           (12.0, 25.0), 4000, "CN BD TR KH", "sea air", "CT", 12, unit="NAR", kg_per_unit=0.4),
    _goods("6403999600", "Men's Derby shoes with leather uppers and rubber soles", "apparel",
           (20.0, 60.0), 3000, "VN IT PT IN CN", "sea road air", "CT", 12, unit="NPR",
           kg_per_unit=1.0),
    _goods("6404110000", "Running shoes with textile uppers and rubber outer soles", "apparel",
           (15.0, 40.0), 5000, "VN ID CN KH", "sea", "CT", 10, unit="NPR", kg_per_unit=0.7),
    _goods("4202211000", "Women's handbags with outer surface of calf leather", "apparel",
           (40.0, 200.0), 1200, "IT FR CN ES", "air road", "CT", 8, unit="NAR", kg_per_unit=0.9),
    _goods("9004109100", "Polarised sunglasses with acetate frames, boxed", "apparel",
           (40.0, 160.0), 400, "CN IT", "air sea", "CT", 5, unit="NAR", kg_per_unit=0.08),
    # Electronics (chapters 84-85, 94)
    _goods("8471300000", "Notebook computers, 14-inch, 16 GB RAM, 512 GB SSD", "electronics",
           (150.0, 450.0), 2000, "CN TW VN", "air sea", "CT", 12, unit="NAR", kg_per_unit=2.2),
    _goods("8517130000", "Smartphones, 5G, 256 GB, boxed with charging cable", "electronics",
           (400.0, 1300.0), 600, "CN VN IN KR", "air", "CT", 10, unit="NAR", kg_per_unit=0.4),
    _goods("8528721000", "LED television receivers, 55-inch 4K, with built-in tuner",
           "electronics", (8.0, 18.0), 15000, "CN PL TR KR", "sea road", "CT", 18,
           unit="NAR", kg_per_unit=18),
    _goods("8518300000", "Wireless over-ear headphones with active noise cancelling",
           "electronics", (40.0, 120.0), 1500, "CN VN MY", "air sea", "CT", 8, unit="NAR",
           kg_per_unit=0.35),
    _goods("8542319000", "32-bit ARM microcontrollers, on tape and reel", "electronics",
           (1500.0, 12000.0), 60, "TW MY KR CN PH", "air", "BX", 2),
    _goods("8507600000", "Lithium-ion battery modules for energy storage, 5 kWh",
           "electronics", (15.0, 40.0), 12000, "CN KR JP PL", "sea", "PX", 600, unit="NAR",
           kg_per_unit=50),
    _goods("9405420000", "LED ceiling panel lights, 600 x 600 mm, 40 W", "electronics",
           (8.0, 20.0), 5000, "CN PL DE", "sea", "CT", 12, unit="NAR", kg_per_unit=3),
    _goods("8541430000", "Monocrystalline photovoltaic modules, 430 W, aluminium-framed",
           "electronics", (3.0, 6.0), 20000, "CN VN MY IN", "sea", "PX", 650, unit="NAR",
           kg_per_unit=22),
    # Household appliances (chapters 84-85)
    _goods("8418108000", "Freestanding refrigerator-freezers, 300 litres, two doors",
           "appliances", (4.0, 8.0), 14000, "TR KR CN PL", "sea road", "PK", 65, unit="NAR",
           kg_per_unit=65),
    _goods("8414510000", "Pedestal electric fans, 16-inch, 45 W", "appliances",
           (3.0, 7.0), 8000, "CN", "sea", "CT", 6, unit="NAR", kg_per_unit=5),
    _goods("8422110000", "Freestanding household dishwashers, 60 cm, 13 place settings",
           "appliances", (6.0, 10.0), 12000, "DE PL TR CN", "road sea", "PK", 48, unit="NAR",
           kg_per_unit=48),
    _goods("8450111100", "Front-loading household washing machines, 9 kg capacity",
           "appliances", (4.0, 7.0), 14000, "TR PL CN DE", "road sea", "PK", 70, unit="NAR",
           kg_per_unit=70),
    # Building materials (chapters 44, 48, 69, 70)
    _goods("4407111000", "Sawn pine timber, kiln-dried and planed, 47 x 150 mm", "building",
           (0.35, 0.6), 30000, "SE FI LV", "sea", "BE", 1200, unit="MTQ", kg_per_unit=520),
    _goods("4802561000", "Uncoated woodfree copier paper, 80 g/m2, A4 in 500-sheet reams",
           "building", (0.9, 1.4), 20000, "FI SE PT ID", "sea road", "PX", 800),
    _goods("6907219000", "Glazed porcelain floor tiles, 600 x 600 mm", "building",
           (0.4, 0.9), 22000, "ES IT TR CN IN", "sea road", "PX", 1200, unit="MTK",
           kg_per_unit=22),
    _goods("7013490000", "Tempered glass food-storage containers with plastic lids", "building",
           (1.5, 3.5), 8000, "CN TR", "sea", "CT", 10),
    # Metals (chapters 72-73, 76, 82)
    _goods("7208390000", "Hot-rolled non-alloy steel coils, 2 mm thick, 1,250 mm wide",
           "metals", (0.55, 0.85), 60000, "IN TR KR VN", "sea", "NE", 20000),
    _goods("7306309000", "Welded galvanised circular steel tubes, 48.3 mm diameter", "metals",
           (0.8, 1.3), 22000, "TR CN IN", "sea", "BE", 1500),
    _goods("7604210000", "Aluminium alloy hollow extruded profiles for window frames", "metals",
           (3.0, 5.0), 18000, "CN TR DE", "sea road", "BE", 500),
    _goods("8205599000", "Steel plasterers' trowels and hand-operated caulking guns", "metals",
           (4.0, 9.0), 5000, "CN TW DE", "sea", "CT", 15),
    # Home and leisure (chapters 73, 87, 94-95)
    _goods("7323930000", "Stainless steel saucepans and frying pans, sets of five", "home",
           (4.0, 9.0), 6000, "CN IN TR", "sea", "CT", 12),
    _goods("9401610000", "Upholstered armchairs with beech wood frames", "home",
           (4.0, 9.0), 8000, "PL CN VN IT", "sea road", "PK", 35, unit="NAR", kg_per_unit=35),
    _goods("9403609000", "Solid oak dining tables, flat-packed", "home",
           (2.5, 6.0), 10000, "VN CN PL MY", "sea", "PK", 40),
    _goods("9503007000", "Plastic construction toy sets for children aged 6 and over", "home",
           (6.0, 14.0), 6000, "CN DK VN", "sea rail", "CT", 8),
    _goods("9506911000", "Adjustable steel dumbbell sets, 2 to 24 kg", "home",
           (2.0, 4.0), 12000, "CN TW", "sea", "PK", 25),
    _goods("8712003000", "Aluminium-frame mountain bicycles, 27.5-inch wheels", "home",
           (15.0, 35.0), 5000, "TW KH CN PT", "sea", "CT", 16, unit="NAR", kg_per_unit=15),
    _goods("8711601000", "Pedal-assisted electric city bicycles, 250 W motor", "home",
           (25.0, 50.0), 6000, "CN TW PT", "sea", "CT", 28, unit="NAR", kg_per_unit=26),
    # Vehicles and parts (chapters 40, 84, 87)
    _goods("8703800000", "New battery electric passenger cars, five-seat SUV", "automotive",
           (18.0, 35.0), 30000, "CN DE KR US BE", "sea", "NE", 2000, unit="NAR",
           kg_per_unit=2000),
    _goods("8703239000", "New petrol passenger cars, 1,984 cc, five-door hatchback",
           "automotive", (12.0, 25.0), 25000, "DE ES JP TR CZ FR", "sea road", "NE", 1500,
           unit="NAR", kg_per_unit=1500, exported=True),
    _goods("4011100090", "New radial tyres for passenger cars, 205/55 R16", "automotive",
           (3.0, 6.0), 12000, "CN TH KR JP DE", "sea", "PX", 500, unit="NAR", kg_per_unit=9),
    _goods("8708409900", "Eight-speed automatic gearboxes for passenger cars", "automotive",
           (8.0, 15.0), 8000, "DE JP", "sea road", "CR", 95, unit="NAR", kg_per_unit=90,
           exported=True),
    _goods("8429520000", "Crawler excavators, 20 t operating weight, 360-degree slewing",
           "automotive", (7.0, 12.0), 40000, "JP KR CN DE", "sea", "NE", 20000, unit="NAR",
           kg_per_unit=20000, exported=True),
    # Machinery and aerospace (chapters 84-85, 88)
    _goods("8413700000", "Multi-stage centrifugal pumps, wetted parts of nickel alloy",
           "machinery", (25.0, 60.0), 1200, "DE IT", "sea air road", "CR", 250, unit="NAR",
           kg_per_unit=220, exported=True, control="2B350.i"),
    _goods("8481809900", "Bellows-sealed valves of nickel alloy, DN50, for corrosive fluids",
           "machinery", (30.0, 80.0), 800, "DE IT CN", "sea air road", "CR", 120, unit="NAR",
           kg_per_unit=30, exported=True, control="2B350.g"),
    _goods("8419500000", "Plate heat exchangers with titanium plates, 12 m2 surface",
           "machinery", (20.0, 50.0), 3000, "SE DE", "sea road", "CR", 800, unit="NAR",
           kg_per_unit=400, exported=True, control="2B350.d"),
    _goods("8458110000", "Numerically controlled horizontal metal-cutting lathes",
           "machinery", (40.0, 90.0), 6000, "JP DE TW", "sea", "CR", 6000, unit="NAR",
           kg_per_unit=6000, exported=True, control="2B001.a"),
    _goods("8411910000", "Titanium alloy fan blades for civil turbofan engines", "machinery",
           (300.0, 1500.0), 300, "", "air", "CS", 40, exported=True),
    _goods("8807300000", "Carbon-fibre wing flap assemblies for civil aeroplanes", "machinery",
           (150.0, 600.0), 800, "FR DE US", "air road", "CS", 200, exported=True),
    _goods("8504409000", "Variable-speed drives (static frequency inverters), 75 kW",
           "machinery", (30.0, 70.0), 2000, "CN DE IT FI", "sea road", "BX", 60, unit="NAR",
           kg_per_unit=60),
    # Printed matter (chapter 49)
    _goods("4901990000", "Printed hardback books, English-language fiction", "print",
           (6.0, 12.0), 8000, "CN IT", "sea road", "CT", 12, exported=True),
)

# How many of the ~300 traders work in each sector.
SECTOR_WEIGHTS: dict[str, int] = {
    "produce": 9, "food": 12, "drinks": 8, "commodities": 4, "chemicals": 6, "health": 7,
    "apparel": 13, "electronics": 12, "appliances": 5, "building": 7, "metals": 5, "home": 12,
    "automotive": 6, "machinery": 10, "print": 3,
}


@dataclass(frozen=True, slots=True)
class Country:
    """A trading partner: where its firms are, its main ports, how its firms are named."""

    code: str
    cities: tuple[str, ...]
    ports: tuple[str, ...]
    # Company name pattern: "{}" is the name, e.g. "{} GmbH", "PT {}".
    legal_form: str
    # Currency firms there invoice in besides USD/EUR, when it has a published rate.
    currency: str | None


def _country(code: str, cities: str, ports: str, legal_form: str, currency: str = "") -> Country:
    return Country(code, tuple(cities.split(", ")), tuple(ports.split(", ")), legal_form,
                   currency or None)


COUNTRIES: dict[str, Country] = {
    country.code: country
    for country in (
        _country("AE", "Dubai, Sharjah, Abu Dhabi", "Jebel Ali", "{} LLC", "AED"),
        _country("AR", "Buenos Aires, Rosario", "Rosario, Buenos Aires", "{} S.A."),
        _country("AT", "Vienna, Linz, Graz", "Hamburg", "{} GmbH", "EUR"),
        _country("AU", "Melbourne, Sydney, Adelaide", "Melbourne, Sydney", "{} Pty Ltd", "AUD"),
        _country("BD", "Dhaka, Chittagong, Gazipur", "Chittagong", "{} Ltd", "BDT"),
        _country("BE", "Antwerp, Ghent, Brussels", "Antwerp, Zeebrugge", "{} NV", "EUR"),
        _country("BR", "Sao Paulo, Santos, Curitiba", "Santos, Paranagua", "{} Ltda", "BRL"),
        _country("CA", "Toronto, Montreal, Vancouver", "Montreal, Vancouver", "{} Inc.", "CAD"),
        _country("CH", "Basel, Zurich, Geneva", "Basel", "{} AG", "CHF"),
        _country("CL", "Santiago, Valparaiso", "San Antonio, Valparaiso", "{} S.A.", "CLP"),
        _country("CN", "Shanghai, Shenzhen, Ningbo, Guangzhou, Qingdao, Yiwu",
                 "Shanghai, Ningbo, Shenzhen, Qingdao", "{} Co., Ltd", "CNY"),
        _country("CO", "Bogota, Medellin, Santa Marta", "Cartagena, Santa Marta", "{} S.A.S."),
        _country("CR", "San Jose, Limon", "Moin", "{} S.A."),
        _country("CZ", "Prague, Brno, Mlada Boleslav", "Hamburg", "{} s.r.o.", "CZK"),
        _country("DE", "Hamburg, Munich, Stuttgart, Cologne", "Hamburg, Bremerhaven", "{} GmbH",
                 "EUR"),
        _country("DK", "Copenhagen, Aarhus, Billund", "Aarhus", "{} A/S", "DKK"),
        _country("DO", "Santo Domingo, Santiago", "Caucedo", "{} S.R.L."),
        _country("EC", "Guayaquil, Quito", "Guayaquil", "{} S.A."),
        _country("EG", "Cairo, Alexandria", "Alexandria, Damietta", "{} S.A.E.", "EGP"),
        _country("ES", "Valencia, Madrid, Barcelona, Almeria", "Valencia, Algeciras", "{} S.L.",
                 "EUR"),
        _country("ET", "Addis Ababa", "Djibouti", "{} PLC"),
        _country("FI", "Helsinki, Kotka, Tampere", "Kotka, Helsinki", "{} Oy", "EUR"),
        _country("FR", "Paris, Lyon, Le Havre, Bordeaux", "Le Havre, Marseille", "{} SAS", "EUR"),
        _country("GR", "Athens, Thessaloniki", "Piraeus", "{} S.A.", "EUR"),
        _country("ID", "Jakarta, Surabaya, Bandung", "Tanjung Priok", "PT {}", "IDR"),
        _country("IE", "Dublin, Cork, Galway", "Dublin, Cork", "{} Ltd", "EUR"),
        _country("IN", "Mumbai, Chennai, New Delhi, Tiruppur", "Nhava Sheva, Chennai, Mundra",
                 "{} Pvt Ltd", "INR"),
        _country("IT", "Milan, Genoa, Bologna, Verona", "Genoa, La Spezia", "{} S.r.l.", "EUR"),
        _country("JP", "Tokyo, Osaka, Nagoya", "Yokohama, Kobe", "{} Co., Ltd", "JPY"),
        _country("KE", "Nairobi, Mombasa", "Mombasa", "{} Ltd", "KES"),
        _country("KH", "Phnom Penh", "Sihanoukville", "{} Co., Ltd"),
        _country("KR", "Seoul, Busan, Incheon", "Busan", "{} Co., Ltd", "KRW"),
        _country("LK", "Colombo, Kandy", "Colombo", "{} (Pvt) Ltd"),
        _country("LV", "Riga, Liepaja", "Riga", "SIA {}", "EUR"),
        _country("MA", "Agadir, Casablanca, Tangier", "Agadir, Tanger Med", "{} SARL", "MAD"),
        _country("MX", "Monterrey, Mexico City, Guadalajara", "Manzanillo, Veracruz",
                 "{} S.A. de C.V.", "MXN"),
        _country("MY", "Kuala Lumpur, Penang, Johor Bahru", "Port Klang", "{} Sdn Bhd", "MYR"),
        _country("NL", "Rotterdam, Venlo, Amsterdam, Westland", "Rotterdam", "{} B.V.", "EUR"),
        _country("NO", "Oslo, Bergen, Alesund", "Oslo, Bergen", "{} AS", "NOK"),
        _country("NZ", "Auckland, Tauranga, Hastings", "Tauranga, Napier", "{} Ltd", "NZD"),
        _country("PE", "Lima, Trujillo", "Callao, Paita", "{} S.A.C."),
        _country("PH", "Manila, Cebu", "Manila", "{} Inc.", "PHP"),
        _country("PK", "Karachi, Lahore, Faisalabad", "Karachi", "{} (Pvt) Ltd", "PKR"),
        _country("PL", "Warsaw, Poznan, Lodz, Gdansk", "Gdansk, Gdynia", "{} Sp. z o.o.", "PLN"),
        _country("PT", "Porto, Lisbon, Braga", "Leixoes, Sines", "{} Lda", "EUR"),
        _country("SA", "Jubail, Riyadh, Jeddah", "Jubail, Jeddah", "{} Co.", "SAR"),
        _country("SE", "Gothenburg, Stockholm, Malmo", "Gothenburg", "{} AB", "SEK"),
        _country("SG", "Singapore", "Singapore", "{} Pte Ltd", "SGD"),
        _country("TH", "Bangkok, Samut Prakan, Rayong", "Laem Chabang", "{} Co., Ltd", "THB"),
        _country("TR", "Istanbul, Izmir, Bursa, Manisa", "Mersin, Ambarli", "{} A.S.", "TRY"),
        _country("TW", "Taipei, Taichung, Hsinchu", "Kaohsiung, Keelung", "{} Co., Ltd", "TWD"),
        _country("US", "New York, Houston, Chicago, Los Angeles", "New York, Savannah, Houston",
                 "{} Inc.", "USD"),
        _country("UY", "Montevideo", "Montevideo", "{} S.A."),
        _country("VN", "Ho Chi Minh City, Hanoi, Hai Phong", "Hai Phong, Cat Lai",
                 "{} Co., Ltd", "VND"),
        _country("ZA", "Cape Town, Durban, Johannesburg", "Durban, Cape Town", "{} (Pty) Ltd",
                 "ZAR"),
        _country("ZM", "Lusaka, Kitwe", "Dar es Salaam", "{} Ltd"),
        # Unusual origins: countries that rarely supply the products above.
        _country("BO", "La Paz, Santa Cruz", "Arica", "{} S.R.L."),
        _country("GH", "Accra, Tema", "Tema", "{} Ltd"),
        _country("KZ", "Almaty, Astana", "Aktau", "{} LLP"),
        _country("LA", "Vientiane", "Laem Chabang", "{} Co., Ltd"),
        _country("MN", "Ulaanbaatar", "Tianjin", "{} LLC"),
        _country("NP", "Kathmandu", "Kolkata", "{} Pvt Ltd"),
        _country("PY", "Asuncion", "Asuncion", "{} S.A."),
        _country("SN", "Dakar", "Dakar", "{} SARL"),
        _country("UZ", "Tashkent", "Poti", "{} LLC"),
    )
}
UNUSUAL_ORIGINS = ("BO", "GH", "KZ", "LA", "MN", "NP", "PY", "SN", "UZ")

# Countries trucks reach from the UK by ferry or the Channel Tunnel.
ROAD_REACHABLE = frozenset(
    "AT BE CH CZ DE DK ES FI FR GR IE IT LV NL NO PL PT SE TR".split()
)
# Freight trains reach the UK through the Channel Tunnel, from Europe and from China.
RAIL_REACHABLE = ROAD_REACHABLE | {"CN"}
# Where goods from overseas are consolidated for the last leg by road or rail.
ROAD_HUBS = ("NL", "BE", "DE", "FR")
EURO_AREA = frozenset("AT BE DE ES FI FR GR IE IT LV NL PT".split())
# Partners of a UK trade agreement whose goods may claim preference 300 with a U162 statement.
FTA_PARTNERS = frozenset(
    "AT BE CZ DE DK ES FI FR GR IE IT LV NL PL PT SE NO CH TR JP KR CA MX CL CO PE EC CR DO "
    "MA EG ZA KE VN SG AU NZ".split()
)
# UK export markets, weighted by share of UK goods exports.
EXPORT_MARKETS: dict[str, int] = {
    "US": 18, "DE": 9, "NL": 8, "FR": 8, "IE": 8, "CN": 6, "BE": 4, "ES": 4, "IT": 3, "CH": 3,
    "AE": 3, "JP": 3, "AU": 3, "CA": 3, "IN": 3, "SG": 2, "KR": 2, "SA": 2, "NO": 2, "PL": 2,
    "SE": 2, "ZA": 1, "TR": 1, "BR": 1, "MX": 1, "NZ": 1, "DK": 1, "TW": 1,
}


@dataclass(frozen=True, slots=True)
class Office:
    """A UK customs office, the place it names in Incoterms, and its share of each mode."""

    code: str
    place: str
    share_by_mode: dict[str, int]


OFFICES = (
    Office("GBFXT001", "Felixstowe", {"sea": 30}),
    Office("GBLGP001", "London Gateway", {"sea": 20, "rail": 3}),
    Office("GBSOU001", "Southampton", {"sea": 15}),
    Office("GBTIL001", "Tilbury", {"sea": 8, "road": 10}),
    Office("GBLIV001", "Liverpool", {"sea": 10, "road": 10}),
    Office("GBIMM001", "Immingham", {"sea": 6, "road": 10}),
    Office("GBDVR001", "Dover", {"road": 70, "rail": 7}),
    Office("GBLHR001", "London Heathrow Airport", {"air": 50}),
    Office("GBEMA001", "East Midlands Airport", {"air": 15}),
    Office("GBMNC001", "Manchester Airport", {"air": 12}),
    Office("GBSTN001", "London Stansted Airport", {"air": 10}),
    Office("GBLGW001", "London Gatwick Airport", {"air": 5}),
    Office("GBBHX001", "Birmingham Airport", {"air": 5}),
    Office("GBGLW001", "Glasgow", {"air": 3}),
)

# Ships: (name, flag state).
VESSELS = (
    ("MSC AURORA", "PA"), ("MSC GULSUN", "PA"), ("MSC IRINA", "LR"), ("MAERSK ESSEN", "DK"),
    ("MAERSK HANGZHOU", "SG"), ("CMA CGM JACQUES SAADE", "FR"), ("CMA CGM MARCO POLO", "MT"),
    ("EVER ACE", "PA"), ("EVER GLORY", "GB"), ("COSCO SHIPPING ARIES", "HK"),
    ("OOCL GERMANY", "HK"), ("ONE INNOVATION", "JP"), ("HMM ALGECIRAS", "KR"),
    ("BERLIN EXPRESS", "DE"), ("CSCL GLOBE", "HK"), ("YM WELLNESS", "LR"),
    ("ZIM SAMMY OFER", "LR"), ("HOEGH TRAPPER", "NO"), ("GLOVIS SUPERIOR", "MH"),
    ("STENA FORERUNNER", "SE"), ("STAR PISCES", "MH"), ("STOLT INNOVATION", "LR"),
    ("ATLANTIC SAIL", "GB"), ("SEATRADE BLUE", "LR"),
)
# Airlines flying cargo to the UK: (IATA designator, country).
AIRLINES = (
    ("BA", "GB"), ("VS", "GB"), ("LH", "DE"), ("AF", "FR"), ("KL", "NL"), ("EK", "AE"),
    ("QR", "QA"), ("CX", "HK"), ("SQ", "SG"), ("TK", "TR"), ("CA", "CN"), ("5X", "US"),
    ("FX", "US"), ("CV", "LU"), ("QY", "DE"), ("AI", "IN"), ("ET", "ET"), ("KE", "KR"),
    ("NH", "JP"), ("AC", "CA"), ("EY", "AE"),
)
# Road hauliers' countries and their number plates ("L" a letter, "D" a digit).
PLATES: dict[str, str] = {
    "GB": "LLDD LLL", "PL": "LLL DDDDD", "LT": "LLL DDD", "RO": "LL DD LLL", "NL": "DD-LLL-D",
    "ES": "DDDD LLL", "BG": "LL DDDD LL", "DE": "LL-LL DDDD", "FR": "LL-DDD-LL",
    "TR": "DD LLL DDD", "IE": "DDD-L-DDDD", "HU": "LLL-DDD",
}

# Name parts for UK traders: "<place word> <sector word> <suffix>".
UK_NAME_WORDS = (
    "Albion", "Ashdown", "Blackstone", "Brightwater", "Castlegate", "Cheviot", "Cotswold",
    "Eastbrook", "Evergreen", "Fenland", "Granite", "Harbour", "Highgate", "Humber", "Kestrel",
    "Lakeland", "Mercia", "Meridian", "Northwind", "Oakridge", "Pennine", "Redfern",
    "Riverside", "Severn", "Silverline", "Solent", "Tamar", "Thames", "Wessex", "Westmoor",
    "Whitecliff", "Yorvik", "Avonside", "Brackley", "Calder", "Dunmore", "Kingsbridge",
    "Marlow", "Quayside", "Tyneside",
)
SECTOR_NAME_WORDS: dict[str, tuple[str, ...]] = {
    "produce": ("Fresh Produce", "Fruit Imports", "Growers Direct", "Fresh Foods"),
    "food": ("Foods", "Food Trading", "Provisions", "Fine Foods"),
    "drinks": ("Wines", "Wine & Spirits", "Distillers", "Drinks"),
    "commodities": ("Commodities", "Grain & Metals", "Bulk Trading"),
    "chemicals": ("Chemicals", "Polymers", "Lubricants", "Packaging"),
    "health": ("Pharma", "Healthcare", "Medical Supplies", "Cosmetics"),
    "apparel": ("Apparel", "Fashion", "Clothing", "Footwear"),
    "electronics": ("Electronics", "Technology", "Digital", "Components"),
    "appliances": ("Home Appliances", "Domestic Appliances", "Electricals"),
    "building": ("Building Supplies", "Timber", "Tiles & Stone", "Paper"),
    "metals": ("Steel", "Metals", "Tools", "Aluminium"),
    "home": ("Homeware", "Interiors", "Toys", "Cycles", "Leisure"),
    "automotive": ("Motors", "Automotive", "Tyres", "Plant Hire"),
    "machinery": ("Engineering", "Pumps & Valves", "Machine Tools", "Aerospace"),
    "print": ("Publishing", "Books", "Print"),
}
UK_SUFFIXES = ("Ltd", "Ltd", "Ltd", "Limited", "UK Ltd", "Group Ltd", "plc")
BROKER_WORDS = (
    "Customs Brokers", "Customs Services", "Freight Forwarding", "Clearance Agency",
    "Shipping & Customs", "Logistics",
)
# UK towns where traders sit, with a postcode district.
UK_TOWNS = (
    ("Felixstowe", "IP11"), ("Manchester", "M17"), ("Birmingham", "B6"), ("Leeds", "LS10"),
    ("Bristol", "BS11"), ("Glasgow", "G51"), ("Sheffield", "S9"), ("London", "E16"),
    ("Coventry", "CV6"), ("Southampton", "SO15"), ("Northampton", "NN4"),
    ("Milton Keynes", "MK1"), ("Leicester", "LE4"), ("Liverpool", "L20"), ("Hull", "HU9"),
    ("Cardiff", "CF10"), ("Edinburgh", "EH6"), ("Nottingham", "NG2"), ("Reading", "RG2"),
    ("Newcastle upon Tyne", "NE6"), ("Daventry", "NN11"), ("Thurrock", "RM20"),
)
UK_STREETS = (
    "Dock Road", "Mill Lane", "Station Road", "Commerce Way", "Harbour Road", "Riverside Way",
    "Europa Way", "Centurion Way", "Brunel Road", "Telford Way", "Stephenson Road",
    "Faraday Close", "Kingsway", "Trafford Park Road", "Enterprise Drive", "Wharf Street",
)

# Name parts for firms abroad: "<word> <trade word>" in the country's legal form.
FOREIGN_NAME_WORDS = (
    "Golden", "Orient", "Atlas", "Pacific", "Sunrise", "Delta", "Nova", "Alpine", "Baltic",
    "Crown", "Horizon", "Eagle", "Summit", "Lotus", "Jade", "Cedar", "Andes", "Sahara", "Aurora",
    "Vertex", "Union", "Prime", "Zenith", "Apex", "Coral", "Evergreen", "Star", "Everest",
)
FOREIGN_TRADE_WORDS: dict[str, tuple[str, ...]] = {
    "produce": ("Fruits", "Agro Export", "Farms"), "food": ("Foods", "Food Industries"),
    "drinks": ("Wines", "Beverages"), "commodities": ("Commodities", "Trading"),
    "chemicals": ("Chemicals", "Petrochemicals"), "health": ("Pharma", "Laboratories"),
    "apparel": ("Garments", "Textiles", "Fashion"), "electronics": ("Electronics", "Technology"),
    "appliances": ("Appliances", "Home Electric"), "building": ("Building Materials", "Paper"),
    "metals": ("Steel", "Metal Industries"), "home": ("Home Products", "Furniture", "Toys"),
    "automotive": ("Motor", "Automotive"), "machinery": ("Engineering", "Machinery"),
    "print": ("Printing", "Publishing"),
}
