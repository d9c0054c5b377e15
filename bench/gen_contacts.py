#!/usr/bin/env python3
"""Deterministic generator of a contacts CSV for benchmarks (French names, unique e-mails).

Usage: gen_contacts.py N OUT.csv [--seed S]
The same N and seed always produce the same file, so runs are comparable.
"""
import argparse
import csv
import random
import unicodedata

FIRST = ("Hélène Émilie Jérôme François Zoé Anaïs Loïc Gaëlle Noël Cécile Théo Léa Chloé "
         "Clément Mathéo Inès Maëlys Océane Raphaël Sébastien Thérèse Adèle Agnès Benoît "
         "Camille Denis Élodie Fabrice Gérard Hugo Isabelle Julien Karine Laurent Manon "
         "Nicolas Olivier Pauline Quentin Romain Sophie Thomas Valérie William Yannick").split()
LAST = ("Dupont Durand Lefèvre Moreau Girard Bonnet François Mercier Lambert Fontaine "
        "Rousseau Vincent Muller Lefebvre Faure André Garnier Chevalier Robin Masson "
        "Gauthier Perrin Morel Clément Nicolas Boyer Roussel Blanc Guérin Brun Gaillard "
        "Barbier Arnaud Martinez Gérard Roche Renard Schmitt Colin Vidal Caron Picard "
        "Roger Fabre Aubert Lemoine Renaud Dumas Lacroix Olivier Philippe Bourgeois").split()
CITIES = ("Paris Lyon Marseille Toulouse Nice Nantes Strasbourg Montpellier Bordeaux Lille "
          "Rennes Reims Grenoble Dijon Angers Nîmes Clermont-Ferrand Besançon Orléans Rouen").split()
TITLES = ["Directeur commercial", "Responsable achats", "Gérante", "Chef de projet",
          "Directrice marketing", "Comptable", "Assistant de direction", "DSI"]
STAGES = ["subscriber", "lead", "mql", "sql", "opportunity", "customer"]


def ascii_slug(text):
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("count", type=int)
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with open(args.out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Prénom", "Nom", "E-mail", "Téléphone", "Fonction", "Ville", "Code postal",
                    "lifecycle_stage"])
        for i in range(1, args.count + 1):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            email = f"{ascii_slug(first)}.{ascii_slug(last)}.{i}@exemple{i % 97}.fr"
            phone = "06 %02d %02d %02d %02d" % tuple(rng.randrange(100) for _ in range(4))
            w.writerow([first, last, email, phone, rng.choice(TITLES), rng.choice(CITIES),
                        "%05d" % rng.randrange(1000, 96000), rng.choice(STAGES)])


if __name__ == "__main__":
    main()
