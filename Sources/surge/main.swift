print("surge")
