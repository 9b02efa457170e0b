"""Pure rules of Quzhou's elderly legal-aid opinion (衢市司发〔2020〕3号) and lawyer points scheme (衢市司发〔2020〕4号)."""
